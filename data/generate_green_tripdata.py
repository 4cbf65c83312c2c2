"""Deterministic generator of synthetic NYC green-taxi trips shaped like the public TLC files.

The public TLC files cannot be fetched here, so the pipeline's sample is generated: valid trips
over a few days of one month, with the shapes the real files have (dispatched trips whose
vendor, rate code, passenger count, payment type and trip type are empty; zero-distance trips),
plus rows the Glue job must drop (DROPPED_KINDS: refunds with negative amounts, pickups outside
the file's month, malformed text). data/README.md says what the jobs do with each shape. The
same seed always yields the same bytes, and another `--start` month the same trips, moved.

    python data/generate_green_tripdata.py                      # writes the committed sample
    python data/generate_green_tripdata.py --seed 7 --rows 5000 --output /tmp/trips.csv
    python data/generate_green_tripdata.py --integers-as-floats --output /tmp/from_parquet.csv

`tlc_parquet_rows` gives the same trips typed as TLC's Parquet files store them (integers as
doubles where TLC has nulls, a newer extra column), for a Parquet writer (pyarrow, Spark).
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import re
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

COLUMNS = (
    "VendorID",
    "lpep_pickup_datetime",
    "lpep_dropoff_datetime",
    "store_and_fwd_flag",
    "RatecodeID",
    "PULocationID",
    "DOLocationID",
    "passenger_count",
    "trip_distance",
    "fare_amount",
    "extra",
    "mta_tax",
    "tip_amount",
    "tolls_amount",
    "ehail_fee",
    "improvement_surcharge",
    "total_amount",
    "payment_type",
    "trip_type",
    "congestion_surcharge",
)
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
INTEGER_COLUMNS = (
    "VendorID",
    "RatecodeID",
    "PULocationID",
    "DOLocationID",
    "passenger_count",
    "payment_type",
    "trip_type",
)
AMOUNT_COLUMNS = (
    "fare_amount",
    "extra",
    "mta_tax",
    "tip_amount",
    "tolls_amount",
    "improvement_surcharge",
    "total_amount",
    "congestion_surcharge",
)
# Columns of TLC's green Parquet files (2025) and their types: integers that can be null are
# doubles there, and a column was added (cbd_congestion_fee) that the CSV sample lacks.
PARQUET_COLUMNS = (
    ("VendorID", "int32"),
    ("lpep_pickup_datetime", "timestamp"),
    ("lpep_dropoff_datetime", "timestamp"),
    ("store_and_fwd_flag", "string"),
    ("RatecodeID", "double"),
    ("PULocationID", "int32"),
    ("DOLocationID", "int32"),
    ("passenger_count", "double"),
    *((name, "double") for name in COLUMNS[8:17]),
    ("payment_type", "double"),
    ("trip_type", "double"),
    ("congestion_surcharge", "double"),
    ("cbd_congestion_fee", "double"),
)

DEFAULT_SEED = 20240101
DEFAULT_ROWS = 1200
DEFAULT_START = "2024-01-01"
DEFAULT_DAYS = 5
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "green_tripdata_2024-01.csv"

# Dispatched trips (street-hail livery bases) carry no vendor, rate code, passenger count,
# payment type or trip type: about 15 % of 2020 green trips. Zero-distance trips are billed trips
# whose meter recorded no distance.
DISPATCH_SHARE = 0.15
ZERO_DISTANCE_SHARE = 0.02

# Pickup zones weighted like green-taxi traffic (East Harlem, Astoria, Jamaica, ...), so that some
# (day, zone) groups hold many trips and others only a few.
PICKUP_ZONES = {74: 14, 75: 12, 41: 10, 42: 8, 166: 7, 82: 6, 95: 5, 97: 5, 7: 4, 129: 4, 244: 3}
DROPOFF_ZONES = (7, 41, 42, 74, 75, 82, 95, 97, 129, 138, 166, 181, 236, 244, 263)
# Tolls that occur on real green-taxi trips (0 most of the time).
TOLLS = (0.0,) * 18 + (6.94, 6.94)

# Rows that are not trips or cannot be read: the Glue job drops each, counting the reason.
# Malformed text only a CSV can hold:
MALFORMED_KINDS = (
    "unparseable_pickup_datetime",
    "unparseable_dropoff_datetime",
    "non_numeric_fare_amount",
    "non_numeric_fare_amount",
    "too_few_columns",
    "too_many_columns",
)
# Well-typed rows that are not trips of the file's month (a Parquet file has them too):
INVALID_TRIP_KINDS = (
    "dropoff_before_pickup",
    "dropoff_before_pickup",
    "negative_trip_distance",
    "negative_trip_distance",
    *("refund",) * 6,
    "pickup_in_previous_month",
    "pickup_in_next_month",
    "pickup_in_2009",
)
DROPPED_KINDS = MALFORMED_KINDS + INVALID_TRIP_KINDS


@dataclass(frozen=True)
class Sample:
    """Generated CSV rows (header excluded) and the 1-based file line of every row the Glue job
    drops, with its kind."""

    rows: list[list[str]]
    dropped_lines: dict[int, str]

    def to_csv(self, integers_as_floats: bool = False) -> str:
        """The CSV file; `integers_as_floats` writes integer columns as `2.0`, as a CSV rebuilt
        from TLC's Parquet files (pandas turns integer columns with nulls into floats) has them."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in self.rows:
            writer.writerow(as_floats(row) if integers_as_floats else row)
        return out.getvalue()


def as_floats(row: list[str]) -> list[str]:
    out = list(row)
    for name in INTEGER_COLUMNS:
        index = COLUMNS.index(name)
        if index < len(out) and re.fullmatch(r"-?\d+", out[index]):
            out[index] += ".0"
    return out


def money(value: float) -> str:
    return f"{value:.2f}"


def valid_trip(rng: random.Random, day: datetime) -> list[str]:
    """One plausible trip whose pickup falls on `day` (the dropoff may be on the next day)."""
    pickup = day + timedelta(seconds=rng.randrange(24 * 3600))
    minutes = rng.uniform(2.0, 55.0)
    dropoff = pickup + timedelta(seconds=round(minutes * 60))
    zero_distance = rng.random() < ZERO_DISTANCE_SHARE
    distance = 0.0 if zero_distance else round(minutes * rng.uniform(0.08, 0.35), 2)
    rate_code = 5 if rng.random() < 0.05 else 1
    # A few zero-fare trips (voided or flat negotiated): they must not enter the tip rate.
    fare = 0.0 if rng.random() < 0.02 else round(3.0 + 1.75 * distance + 0.35 * minutes, 2)
    dispatched = rng.random() < DISPATCH_SHARE
    payment_type = 1 if rng.random() < 0.6 else rng.choice((2, 2, 3, 4))
    tip = round(fare * rng.uniform(0.0, 0.3), 2) if payment_type == 1 and not dispatched else 0.0
    extra = rng.choice((0.0, 0.5, 1.0, 2.5))
    mta_tax = 0.5
    tolls = rng.choice(TOLLS)
    improvement = 1.0
    congestion = 2.75 if rng.random() < 0.15 else 0.0
    total = fare + extra + mta_tax + tip + tolls + improvement + congestion
    return [
        "" if dispatched else str(rng.choice((1, 2, 2))),
        pickup.strftime(TIMESTAMP_FORMAT),
        dropoff.strftime(TIMESTAMP_FORMAT),
        "" if dispatched else ("Y" if rng.random() < 0.01 else "N"),
        "" if dispatched else str(rate_code),
        str(rng.choices(list(PICKUP_ZONES), weights=list(PICKUP_ZONES.values()))[0]),
        str(rng.choice(DROPOFF_ZONES)),
        "" if dispatched else str(rng.choice((1, 1, 1, 1, 2, 2, 3, 5))),
        f"{distance:.2f}",
        money(fare),
        money(extra),
        money(mta_tax),
        money(tip),
        money(tolls),
        "",  # ehail_fee: always empty in the public green-taxi files
        money(improvement),
        money(total),
        "" if dispatched else str(payment_type),
        "" if dispatched else str(2 if rate_code == 5 else 1),
        "" if dispatched else money(congestion),
    ]


def with_pickup(row: list[str], pickup: datetime) -> list[str]:
    """`row` moved to start at `pickup`, keeping its duration."""
    column = {name: index for index, name in enumerate(COLUMNS)}
    start = datetime.strptime(row[column["lpep_pickup_datetime"]], TIMESTAMP_FORMAT)
    end = datetime.strptime(row[column["lpep_dropoff_datetime"]], TIMESTAMP_FORMAT)
    moved = list(row)
    moved[column["lpep_pickup_datetime"]] = pickup.strftime(TIMESTAMP_FORMAT)
    moved[column["lpep_dropoff_datetime"]] = (pickup + (end - start)).strftime(TIMESTAMP_FORMAT)
    return moved


def corrupt(row: list[str], kind: str, month: datetime) -> list[str]:
    """A copy of a valid row broken in the way `kind` names (`month`: the file's first day)."""
    broken = list(row)
    column = {name: index for index, name in enumerate(COLUMNS)}
    if kind == "unparseable_pickup_datetime":
        broken[column["lpep_pickup_datetime"]] = f"{month:%Y-%m}-32 25:61:00"
    elif kind == "unparseable_dropoff_datetime":
        broken[column["lpep_dropoff_datetime"]] = "not a timestamp"
    elif kind == "dropoff_before_pickup":
        pickup, dropoff = column["lpep_pickup_datetime"], column["lpep_dropoff_datetime"]
        broken[pickup], broken[dropoff] = broken[dropoff], broken[pickup]
    elif kind == "negative_trip_distance":
        broken[column["trip_distance"]] = "-" + broken[column["trip_distance"]]
    elif kind == "non_numeric_fare_amount":
        broken[column["fare_amount"]] = "twelve"
    elif kind == "too_few_columns":
        broken = broken[:-3]
    elif kind == "too_many_columns":
        broken.append("0.00")
    elif kind == "refund":
        # TLC records a refund or void as its own row: the trip's amounts negated, no charge
        # (3) or dispute (4) as payment type.
        for name in AMOUNT_COLUMNS:
            if broken[column[name]] not in ("", "0.00"):
                broken[column[name]] = money(-float(broken[column[name]]))
        broken[column["payment_type"]] = "3" if broken[column["payment_type"]] != "4" else "4"
    elif kind == "pickup_in_previous_month":
        broken = with_pickup(row, month - timedelta(minutes=17))
    elif kind == "pickup_in_next_month":
        broken = with_pickup(row, next_month(month) + timedelta(hours=3, minutes=12))
    elif kind == "pickup_in_2009":  # a meter whose clock was never set
        broken = with_pickup(row, datetime(2009, 1, 1, 0, 4, 10))
    else:
        raise ValueError(f"unknown dropped kind {kind!r}")
    return broken


def next_month(day: datetime) -> datetime:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def generate(
    seed: int = DEFAULT_SEED,
    rows: int = DEFAULT_ROWS,
    start: str = DEFAULT_START,
    days: int = DEFAULT_DAYS,
) -> Sample:
    """`rows` valid trips over `days` days from `start`, sorted by pickup, with the rows of
    DROPPED_KINDS inserted at seeded positions. The file's month is `start`'s."""
    rng = random.Random(seed)
    first_day = datetime.strptime(start, "%Y-%m-%d")
    month = first_day.replace(day=1)
    trips = [valid_trip(rng, first_day + timedelta(days=rng.randrange(days))) for _ in range(rows)]
    trips.sort(key=lambda trip: trip[1])
    total = rows + len(DROPPED_KINDS)
    positions = sorted(rng.sample(range(total), len(DROPPED_KINDS)))
    kinds = dict(zip(positions, rng.sample(DROPPED_KINDS, len(DROPPED_KINDS)), strict=True))
    valid = iter(trips)
    out: list[list[str]] = []
    dropped_lines: dict[int, str] = {}
    for index in range(total):
        if index in kinds:
            # Break a fresh trip of the same days so the valid trips stay exactly `rows`.
            source = valid_trip(rng, first_day + timedelta(days=rng.randrange(days)))
            out.append(corrupt(source, kinds[index], month))
            dropped_lines[index + 2] = kinds[index]  # line 1 is the header
        else:
            out.append(next(valid))
    return Sample(rows=out, dropped_lines=dropped_lines)


def tlc_parquet_rows(sample: Sample) -> list[tuple]:
    """The sample's rows typed as PARQUET_COLUMNS (cbd_congestion_fee 0.0), leaving out the
    malformed text a typed file cannot hold (MALFORMED_KINDS)."""
    typed = []
    for line, row in enumerate(sample.rows, 2):
        if sample.dropped_lines.get(line) in MALFORMED_KINDS:
            continue
        values = dict(zip(COLUMNS, row, strict=True))
        out = []
        for name, kind in PARQUET_COLUMNS:
            text = values.get(name, "0.00")
            if text == "":
                out.append(None)
            elif kind == "timestamp":
                out.append(datetime.strptime(text, TIMESTAMP_FORMAT))
            elif kind == "int32":
                out.append(int(text))
            elif kind == "double":
                out.append(float(text))
            else:
                out.append(text)
        typed.append(tuple(out))
    return typed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="number of valid trips")
    parser.add_argument("--start", default=DEFAULT_START, help="first pickup day, YYYY-MM-DD")
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--integers-as-floats",
        action="store_true",
        help="write integer columns as 2.0 (a CSV rebuilt from TLC's Parquet)",
    )
    args = parser.parse_args(argv)
    sample = generate(args.seed, args.rows, args.start, args.days)
    with args.output.open("w", newline="", encoding="utf-8") as file:
        file.write(sample.to_csv(args.integers_as_floats))
    print(f"wrote {len(sample.rows)} rows to {args.output}", file=sys.stderr)
    for line, kind in sample.dropped_lines.items():
        print(f"dropped line {line}: {kind}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
