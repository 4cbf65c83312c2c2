"""Expected job outputs computed in plain Python from the sample CSV, independently of Spark.

The valid trips are the file's rows minus the lines the generator reports as dropped; the
aggregates follow the definitions in issue 3 (trips, distance, fare, mean tip/fare over fare > 0).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from generate_green_tripdata import COLUMNS, TIMESTAMP_FORMAT

# The Glue job's reject reason for each kind of row the generator makes it drop.
REASON_OF_KIND = {
    "unparseable_pickup_datetime": "invalid_pickup_datetime",
    "unparseable_dropoff_datetime": "invalid_dropoff_datetime",
    "dropoff_before_pickup": "dropoff_before_pickup",
    "negative_trip_distance": "negative_trip_distance",
    "non_numeric_fare_amount": "invalid_fare_amount",
    "too_few_columns": "wrong_column_count",
    "too_many_columns": "wrong_column_count",
    "refund": "negative_amount",
    "pickup_in_previous_month": "pickup_outside_file_month",
    "pickup_in_next_month": "pickup_outside_file_month",
    "pickup_in_2009": "pickup_outside_file_month",
}


@dataclass(frozen=True)
class Trip:
    pickup: str
    dropoff: str
    pu_location_id: int
    trip_distance: float
    fare_amount: float
    tip_amount: float

    @property
    def pickup_date(self) -> str:
        return self.pickup[:10]

    @property
    def duration_minutes(self) -> float:
        start = datetime.strptime(self.pickup, TIMESTAMP_FORMAT)
        end = datetime.strptime(self.dropoff, TIMESTAMP_FORMAT)
        return round((end - start).total_seconds() / 60, 2)


@dataclass(frozen=True)
class Group:
    trip_count: int
    total_distance: float
    total_fare: float
    avg_tip_rate: float | None


def read_rows(path: Path) -> list[list[str]]:
    """Data rows of the CSV (header dropped); row i is on file line i + 2."""
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.reader(file)
        assert tuple(next(reader)) == COLUMNS
        return list(reader)


def valid_trips(path: Path, dropped_lines: dict[int, str]) -> list[Trip]:
    column = {name: index for index, name in enumerate(COLUMNS)}
    trips = []
    for index, row in enumerate(read_rows(path)):
        if index + 2 in dropped_lines:
            continue
        trips.append(
            Trip(
                pickup=row[column["lpep_pickup_datetime"]],
                dropoff=row[column["lpep_dropoff_datetime"]],
                pu_location_id=int(row[column["PULocationID"]]),
                trip_distance=float(row[column["trip_distance"]]),
                fare_amount=float(row[column["fare_amount"]]),
                tip_amount=float(row[column["tip_amount"]]),
            )
        )
    return trips


def groups(trips: list[Trip]) -> dict[tuple[str, int], Group]:
    """Gold aggregates keyed by (pickup_date 'YYYY-MM-DD', pu_location_id)."""
    members: dict[tuple[str, int], list[Trip]] = defaultdict(list)
    for trip in trips:
        members[(trip.pickup_date, trip.pu_location_id)].append(trip)
    out = {}
    for key, group in members.items():
        rates = [t.tip_amount / t.fare_amount for t in group if t.fare_amount > 0]
        out[key] = Group(
            trip_count=len(group),
            total_distance=sum(t.trip_distance for t in group),
            total_fare=sum(t.fare_amount for t in group),
            avg_tip_rate=sum(rates) / len(rates) if rates else None,
        )
    return out
