"""What the platform's own jobs write when their simulated run succeeds, so the next stage of
prepare_data_nyc finds its input (the emulator runs no Spark):

- the Glue job running scripts/glue_process_to_staging.py (--input raw CSV, --output staging):
  valid trips as one Parquet file, with the columns the EMR step reads;
- the EMR step running scripts/emr_aggregate_gold.py (--input staging, --output gold):
  gold aggregates per pickup day and zone, in the Redshift table's column order.

A stand-in of the Spark jobs' logic, not a copy: rows whose required values do not parse, whose
dropoff is before the pickup or whose distance is negative are dropped; the staging file holds
only the columns the aggregation needs. The real jobs are tested with Spark in tests/spark/.
Missing input makes the run fail with Spark's message, as on AWS; a run without --input and
--output (started by hand) writes nothing. Needs pyarrow (sandbox venv).
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from . import sinks

GLUE_SCRIPT = "glue_process_to_staging.py"
EMR_SCRIPT = "emr_aggregate_gold.py"
OUTPUT_FILE = "part-00000-sandbox.snappy.parquet"
TIMESTAMP = "%Y-%m-%d %H:%M:%S"
CENTS = Decimal("0.01")

log = logging.getLogger("platform_ext.job_outputs")


class MissingInput(Exception):
    pass


def glue_job_output(script_location: str, arguments: dict[str, str]) -> str | None:
    """Writes staging for the staging job; None, or the error message the run fails with."""
    if not script_location.endswith(GLUE_SCRIPT):
        return None
    return _run(lambda: write_staging(arguments["--input"], arguments["--output"]), arguments)


def emr_step_output(args: Sequence[str]) -> str | None:
    """Writes gold for the aggregation step; None, or the error message the step fails with."""
    if not any(arg.endswith(EMR_SCRIPT) for arg in args):
        return None
    options = dict(zip(args, list(args[1:]) + [""], strict=True))
    return _run(lambda: write_gold(options["--input"], options["--output"]), options)


def _run(write, arguments) -> str | None:
    if "--input" not in arguments or "--output" not in arguments:
        return None  # a run started by hand without paths: nothing to write
    try:
        rows = write()
    except MissingInput as error:
        return f"pyspark.errors.exceptions.captured.AnalysisException: {error}"
    except (ValueError, OSError) as error:
        return f"py4j.protocol.Py4JJavaError: {error}"
    log.info("wrote %d rows to %s", rows, arguments["--output"])
    return None


# --- staging ------------------------------------------------------------------------------


def write_staging(input_uri: str, output_uri: str) -> int:
    trips = [trip for trip in map(typed_trip, raw_rows(input_uri)) if trip is not None]
    write_parquet(output_uri, staging_table(trips))
    return len(trips)


def raw_rows(input_uri: str) -> Iterable[dict[str, str]]:
    bucket, prefix = sinks.split_s3_uri(input_uri)
    files = [body for key, body in _objects(bucket, prefix) if key.endswith(".csv")]
    if not files:
        raise MissingInput(f"[PATH_NOT_FOUND] Path does not exist: {input_uri}")
    for body in files:
        yield from csv.DictReader(io.StringIO(body.decode("utf-8", errors="replace")))


def typed_trip(row: dict[str, str]) -> dict | None:
    try:
        pickup = datetime.strptime(row["lpep_pickup_datetime"].strip(), TIMESTAMP)
        dropoff = datetime.strptime(row["lpep_dropoff_datetime"].strip(), TIMESTAMP)
        trip = {
            "pu_location_id": int(row["PULocationID"]),
            "trip_distance": float(row["trip_distance"]),
            "fare_amount": float(row["fare_amount"]),
            "tip_amount": float(row["tip_amount"]) if row.get("tip_amount", "").strip() else None,
            "pickup_date": pickup.date(),
        }
    except (KeyError, TypeError, ValueError):
        return None
    if dropoff < pickup or trip["trip_distance"] < 0:
        return None
    return trip


def staging_table(trips: list[dict]):
    import pyarrow as pa

    schema = pa.schema(
        [
            ("pu_location_id", pa.int32()),
            ("trip_distance", pa.float64()),
            ("fare_amount", pa.float64()),
            ("tip_amount", pa.float64()),
            ("pickup_date", pa.date32()),
        ]
    )
    return pa.Table.from_pylist(trips, schema=schema)


# --- gold ---------------------------------------------------------------------------------


def write_gold(input_uri: str, output_uri: str) -> int:
    rows = gold_rows(staging_trips(input_uri))
    write_parquet(output_uri, gold_table(rows))
    return len(rows)


def staging_trips(input_uri: str) -> list[dict]:
    import pyarrow.parquet as pq

    bucket, prefix = sinks.split_s3_uri(input_uri)
    files = [body for key, body in _objects(bucket, prefix) if key.endswith(".parquet")]
    if not files:
        raise MissingInput(f"[PATH_NOT_FOUND] Path does not exist: {input_uri}")
    trips: list[dict] = []
    for body in files:
        trips.extend(pq.read_table(io.BytesIO(body)).to_pylist())
    return trips


def gold_rows(trips: list[dict]) -> list[dict]:
    groups: dict[tuple[date, int], list[dict]] = {}
    for trip in trips:
        groups.setdefault((trip["pickup_date"], trip["pu_location_id"]), []).append(trip)
    rows = []
    for (day, zone), group in sorted(groups.items()):
        rates = [
            t["tip_amount"] / t["fare_amount"]
            for t in group
            if t["fare_amount"] > 0 and t["tip_amount"] is not None
        ]
        rows.append(
            {
                "pickup_date": day,
                "pu_location_id": zone,
                "trip_count": len(group),
                "total_distance": money(sum(t["trip_distance"] for t in group)),
                "total_fare": money(sum(t["fare_amount"] for t in group)),
                "avg_tip_rate": sum(rates) / len(rates) if rates else None,
            }
        )
    return rows


def money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(CENTS, rounding=ROUND_HALF_UP)


def gold_table(rows: list[dict]):
    import pyarrow as pa

    schema = pa.schema(
        [
            ("pickup_date", pa.date32()),
            ("pu_location_id", pa.int32()),
            ("trip_count", pa.int64()),
            ("total_distance", pa.decimal128(14, 2)),
            ("total_fare", pa.decimal128(14, 2)),
            ("avg_tip_rate", pa.float64()),
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema)


# --- S3 -----------------------------------------------------------------------------------


def _objects(bucket: str, prefix: str) -> list[tuple[str, bytes]]:
    try:
        return sinks.list_objects(bucket, prefix)
    except FileNotFoundError as error:
        raise MissingInput(str(error)) from error


def write_parquet(output_uri: str, table) -> None:
    """Replaces everything under the output prefix with one Parquet file (mode overwrite)."""
    import pyarrow.parquet as pq

    bucket, prefix = sinks.split_s3_uri(output_uri)
    backend = sinks.s3_backend_for(bucket)
    if backend is None:
        raise MissingInput(f"bucket {bucket} does not exist")
    for key, _ in sinks.list_objects(bucket, prefix):
        backend.delete_object(bucket, key)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="snappy")
    backend.put_object(bucket, prefix + OUTPUT_FILE, buffer.getvalue())
