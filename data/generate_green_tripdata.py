"""Deterministic generator of synthetic NYC green-taxi trips in the public CSV schema.

The public TLC file cannot be fetched here, so the pipeline's sample is generated: valid trips
spread over a few days of January 2024, plus a handful of malformed rows (one or two of each kind
in MALFORMED_KINDS) that the Glue job must drop. The same seed always yields the same bytes.

    python data/generate_green_tripdata.py                      # writes the committed sample
    python data/generate_green_tripdata.py --seed 7 --rows 5000 --output /tmp/trips.csv
"""

from __future__ import annotations

import argparse
import csv
import io
import random
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

DEFAULT_SEED = 20240101
DEFAULT_ROWS = 1200
DEFAULT_START = "2024-01-01"
DEFAULT_DAYS = 5
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "green_tripdata_2024-01.csv"

# Pickup zones weighted like green-taxi traffic (East Harlem, Astoria, Jamaica, ...), so that some
# (day, zone) groups hold many trips and others only a few.
PICKUP_ZONES = {74: 14, 75: 12, 41: 10, 42: 8, 166: 7, 82: 6, 95: 5, 97: 5, 7: 4, 129: 4, 244: 3}
DROPOFF_ZONES = (7, 41, 42, 74, 75, 82, 95, 97, 129, 138, 166, 181, 236, 244, 263)
# Tolls that occur on real green-taxi trips (0 most of the time).
TOLLS = (0.0,) * 18 + (6.94, 6.94)

MALFORMED_KINDS = (
    "unparseable_pickup_datetime",
    "unparseable_dropoff_datetime",
    "dropoff_before_pickup",
    "dropoff_before_pickup",
    "negative_trip_distance",
    "negative_trip_distance",
    "non_numeric_fare_amount",
    "non_numeric_fare_amount",
    "too_few_columns",
    "too_many_columns",
)


@dataclass(frozen=True)
class Sample:
    """Generated CSV rows (header excluded) and the 1-based file line of every malformed row."""

    rows: list[list[str]]
    malformed_lines: dict[int, str]

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(self.rows)
        return out.getvalue()


def money(value: float) -> str:
    return f"{value:.2f}"


def valid_trip(rng: random.Random, day: datetime) -> list[str]:
    """One plausible trip whose pickup falls on `day` (the dropoff may be on the next day)."""
    pickup = day + timedelta(seconds=rng.randrange(24 * 3600))
    minutes = rng.uniform(2.0, 55.0)
    dropoff = pickup + timedelta(seconds=round(minutes * 60))
    distance = round(minutes * rng.uniform(0.08, 0.35), 2)
    rate_code = 5 if rng.random() < 0.05 else 1
    # A few zero-fare trips (voided or flat negotiated): they must not enter the tip rate.
    fare = 0.0 if rng.random() < 0.02 else round(3.0 + 1.75 * distance + 0.35 * minutes, 2)
    payment_type = 1 if rng.random() < 0.6 else rng.choice((2, 2, 3, 4))
    tip = round(fare * rng.uniform(0.0, 0.3), 2) if payment_type == 1 else 0.0
    extra = rng.choice((0.0, 0.5, 1.0, 2.5))
    mta_tax = 0.5
    tolls = rng.choice(TOLLS)
    improvement = 1.0
    congestion = 2.75 if rng.random() < 0.15 else 0.0
    total = fare + extra + mta_tax + tip + tolls + improvement + congestion
    # Real files leave the passenger/rate/payment columns empty on some trips.
    unknown = rng.random() < 0.03
    return [
        str(rng.choice((1, 2, 2))),
        pickup.strftime(TIMESTAMP_FORMAT),
        dropoff.strftime(TIMESTAMP_FORMAT),
        "" if unknown else ("Y" if rng.random() < 0.01 else "N"),
        "" if unknown else str(rate_code),
        str(rng.choices(list(PICKUP_ZONES), weights=list(PICKUP_ZONES.values()))[0]),
        str(rng.choice(DROPOFF_ZONES)),
        "" if unknown else str(rng.choice((1, 1, 1, 1, 2, 2, 3, 5))),
        f"{distance:.2f}",
        money(fare),
        money(extra),
        money(mta_tax),
        money(tip),
        money(tolls),
        "",  # ehail_fee: always empty in the public green-taxi files
        money(improvement),
        money(total),
        "" if unknown else str(payment_type),
        "" if unknown else str(2 if rate_code == 5 else 1),
        "" if unknown else money(congestion),
    ]


def corrupt(row: list[str], kind: str) -> list[str]:
    """A copy of a valid row broken in the way `kind` names."""
    broken = list(row)
    column = {name: index for index, name in enumerate(COLUMNS)}
    if kind == "unparseable_pickup_datetime":
        broken[column["lpep_pickup_datetime"]] = "2024-01-32 25:61:00"
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
    else:
        raise ValueError(f"unknown malformed kind {kind!r}")
    return broken


def generate(
    seed: int = DEFAULT_SEED,
    rows: int = DEFAULT_ROWS,
    start: str = DEFAULT_START,
    days: int = DEFAULT_DAYS,
) -> Sample:
    """`rows` valid trips over `days` days from `start`, sorted by pickup, with the malformed rows
    of MALFORMED_KINDS inserted at seeded positions."""
    rng = random.Random(seed)
    first_day = datetime.strptime(start, "%Y-%m-%d")
    trips = [valid_trip(rng, first_day + timedelta(days=rng.randrange(days))) for _ in range(rows)]
    trips.sort(key=lambda trip: trip[1])
    total = rows + len(MALFORMED_KINDS)
    positions = sorted(rng.sample(range(total), len(MALFORMED_KINDS)))
    kinds = dict(zip(positions, MALFORMED_KINDS, strict=True))
    valid = iter(trips)
    out: list[list[str]] = []
    malformed_lines: dict[int, str] = {}
    for index in range(total):
        if index in kinds:
            # Break a fresh trip of the same days so the valid trips stay exactly `rows`.
            source = valid_trip(rng, first_day + timedelta(days=rng.randrange(days)))
            out.append(corrupt(source, kinds[index]))
            malformed_lines[index + 2] = kinds[index]  # line 1 is the header
        else:
            out.append(next(valid))
    return Sample(rows=out, malformed_lines=malformed_lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="number of valid trips")
    parser.add_argument("--start", default=DEFAULT_START, help="first pickup day, YYYY-MM-DD")
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    sample = generate(args.seed, args.rows, args.start, args.days)
    with args.output.open("w", newline="", encoding="utf-8") as file:
        file.write(sample.to_csv())
    print(f"wrote {len(sample.rows)} rows to {args.output}", file=sys.stderr)
    for line, kind in sample.malformed_lines.items():
        print(f"malformed line {line}: {kind}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
