"""Seed the sandbox with the platform's resources, as infra/ would create them on AWS.

Used by `sandbox/emulator.py --seed` inside the emulator's own process, so bulk data can go
straight into moto's backends (20,000 keys in seconds instead of minutes over HTTP). Everything
else goes through boto3 against the emulator's endpoint, exactly as a real client would do it.

One function per platform layer; `seed_platform` calls them in order. Later layers (Glue, EMR,
Redshift, Airflow) add their own function here.
"""

from __future__ import annotations

import gzip
import importlib.util
import io
import json
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import platform_ext
from platform_ext.seeding import client

DATALAKE_BUCKET = "nyctaxi-sandbox-datalake"
MWAA_BUCKET = "nyctaxi-sandbox-mwaa"
EMR_LOGS_BUCKET = "nyctaxi-sandbox-emr-logs"
BUCKETS = (DATALAKE_BUCKET, MWAA_BUCKET, EMR_LOGS_BUCKET)

LAYER_PREFIXES = ("raw/", "staging/", "gold/")
RAW_TRIPS_PREFIX = "raw/green_tripdata/"
SCRIPTS_PREFIX = "scripts/"
ARCHIVE_PREFIX = "archive/events/"
ARCHIVE_KEY_COUNT = 20_000
# Preview samples stay out of raw/: the Glue job and crawler read everything under raw/.
SAMPLES_PREFIX = "samples/"

# A key and a body that try to retitle the terminal, clear the screen and ring the bell:
# the console must show them harmlessly.
HOSTILE_KEY = "raw/hostile/\x1b]0;pwned\x07\x1b[2Jname.txt"
HOSTILE_BODY = (
    b"line one \x1b[31mred\x1b[0m\n"
    b"\x1b]0;pwned\x07title change\n"
    b"\x1b[2J\x1b[Hscreen cleared\r\n"
    b"bell\x07 backspace\x08 nul\x00 done\n"
)

# Writes many (key, body) objects into a bucket at once.
PutMany = Callable[[str, list[tuple[str, bytes]]], None]

PROJECT_DIR = Path(__file__).resolve().parent.parent
log = logging.getLogger("sandbox.seed")


@dataclass
class SeedReport:
    """What was seeded, for the emulator's log."""

    objects: int = 0
    notes: list[str] = field(default_factory=list)

    def note(self, message: str) -> None:
        log.info(message)
        self.notes.append(message)


def seed_platform(
    endpoint_url: str,
    project_dir: Path = PROJECT_DIR,
    *,
    put_many: PutMany | None = None,
) -> SeedReport:
    """Create every seeded resource. `put_many` writes the bulk archive (default: moto backend)."""
    s3 = client("s3", endpoint_url)
    report = SeedReport()
    seed_buckets(s3, report)
    seed_datalake_layers(s3, report)
    seed_raw_trip_data(s3, project_dir / "data", report)
    seed_last_month_trips(s3, project_dir / "data", report)
    seed_spark_scripts(s3, project_dir / "scripts", report)
    seed_showcase_objects(s3, project_dir / "data", report)
    seed_event_archive(put_many or put_many_in_moto, report)
    seed_mwaa_bucket(s3, project_dir, report)
    platform_ext.seed_platform(endpoint_url, project_dir, note=report.note)
    return report


# --- S3 -----------------------------------------------------------------------------------


def seed_buckets(s3, report: SeedReport) -> None:
    for bucket in BUCKETS:
        s3.create_bucket(Bucket=bucket)
    report.note(f"buckets: {', '.join(BUCKETS)}")


def seed_datalake_layers(s3, report: SeedReport) -> None:
    """Zero-byte markers make raw/, staging/ and gold/ visible before any data lands."""
    for prefix in LAYER_PREFIXES:
        layer = prefix.rstrip("/")
        s3.put_object(
            Bucket=DATALAKE_BUCKET,
            Key=prefix,
            Body=b"",
            Metadata={"layer": layer, "managed-by": "sandbox-seed"},
            Tagging=f"layer={layer}&project=nyctaxi",
        )
        report.objects += 1
    report.note(f"datalake layers: {' '.join(LAYER_PREFIXES)}")


def seed_raw_trip_data(s3, data_dir: Path, report: SeedReport) -> None:
    csvs = sorted(data_dir.glob("*.csv"))
    if not csvs:
        report.note(f"no trip data: {data_dir} has no *.csv yet, nothing under {RAW_TRIPS_PREFIX}")
        return
    for path in csvs:
        s3.put_object(
            Bucket=DATALAKE_BUCKET,
            Key=RAW_TRIPS_PREFIX + path.name,
            Body=path.read_bytes(),
            ContentType="text/csv",
            Metadata={"dataset": "green_tripdata", "source-file": path.name},
            Tagging="layer=raw&dataset=green_tripdata",
        )
        report.objects += 1
    report.note(f"trip data: {len(csvs)} CSV file(s) under {RAW_TRIPS_PREFIX}")


def load_generator(data_dir: Path):
    """data/generate_green_tripdata.py as a module (data/ is not a package)."""
    path = data_dir / "generate_green_tripdata.py"
    spec = importlib.util.spec_from_file_location("generate_green_tripdata", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def previous_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def seed_last_month_trips(
    s3, data_dir: Path, report: SeedReport, today: date | None = None
) -> str | None:
    """Last month's trips, the file a scheduled prepare_data_nyc run processes (a monthly run
    covers the month before it): the committed sample's trips (same seed) moved to that month,
    written as TLC publishes its files today (Parquet, nullable integers as doubles, a newer
    extra column). Returns its key, or None when data/ already has that month."""
    month = previous_month(today or datetime.now(UTC).date())
    name = f"green_tripdata_{month:%Y-%m}"
    if (data_dir / f"{name}.csv").exists() or not (
        data_dir / "generate_green_tripdata.py"
    ).exists():
        return None
    import pyarrow as pa
    import pyarrow.parquet as pq

    generator = load_generator(data_dir)
    sample = generator.generate(start=month.isoformat())
    types = {
        "int32": pa.int32(),
        "timestamp": pa.timestamp("us"),
        "double": pa.float64(),
        "string": pa.string(),
    }
    schema = pa.schema([(column, types[kind]) for column, kind in generator.PARQUET_COLUMNS])
    rows = [dict(zip(schema.names, row, strict=True)) for row in generator.tlc_parquet_rows(sample)]
    body = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), body, compression="snappy")
    key = f"{RAW_TRIPS_PREFIX}{name}.parquet"
    s3.put_object(
        Bucket=DATALAKE_BUCKET,
        Key=key,
        Body=body.getvalue(),
        ContentType="application/vnd.apache.parquet",
        Metadata={"dataset": "green_tripdata", "generated-from": "data/generate_green_tripdata.py"},
        Tagging="layer=raw&dataset=green_tripdata",
    )
    report.objects += 1
    report.note(f"last month's trips: {key} ({len(rows)} rows, TLC's Parquet layout)")
    return key


def seed_spark_scripts(s3, scripts_dir: Path, report: SeedReport) -> None:
    scripts = sorted(scripts_dir.glob("*.py"))
    for path in scripts:
        s3.put_object(
            Bucket=DATALAKE_BUCKET,
            Key=SCRIPTS_PREFIX + path.name,
            Body=path.read_bytes(),
            ContentType="text/x-python",
        )
        report.objects += 1
    report.note(f"spark scripts: {len(scripts)} file(s) under {SCRIPTS_PREFIX}")


def seed_showcase_objects(s3, data_dir: Path, report: SeedReport) -> None:
    """Objects that exercise the console's preview: gzip, binary, hostile text."""
    csvs = sorted(data_dir.glob("*.csv"))
    if csvs:
        s3.put_object(
            Bucket=DATALAKE_BUCKET,
            Key=f"{SAMPLES_PREFIX}{csvs[0].name}.gz",
            Body=gzip.compress(csvs[0].read_bytes(), mtime=0),
            ContentType="application/gzip",
            Metadata={"dataset": "green_tripdata", "compression": "gzip"},
        )
        report.objects += 1
        report.note(f"gzip'd CSV: {SAMPLES_PREFIX}{csvs[0].name}.gz")
    else:
        report.note("no gzip'd CSV: no trip data to compress")
    s3.put_object(
        Bucket=DATALAKE_BUCKET,
        Key=f"{SAMPLES_PREFIX}bytes.bin",
        Body=bytes(range(256)) * 4,
        ContentType="application/octet-stream",
    )
    s3.put_object(
        Bucket=DATALAKE_BUCKET,
        Key=HOSTILE_KEY,
        Body=HOSTILE_BODY,
        ContentType="text/plain",
        Metadata={"purpose": "terminal-escape-test"},
    )
    report.objects += 2
    report.note(f"showcase objects: {SAMPLES_PREFIX}bytes.bin, hostile key under raw/hostile/")


def put_many_in_moto(bucket: str, objects: list[tuple[str, bytes]]) -> None:
    """Write objects straight into moto's S3 backend of this process (the bucket must exist)."""
    from moto.s3.models import s3_backends

    partition, account_id = s3_backends.bucket_accounts[bucket]
    backend = s3_backends[account_id][partition]
    for key, body in objects:
        backend.put_object(bucket, key, body, disable_notification=True)


def archive_events(count: int = ARCHIVE_KEY_COUNT) -> list[tuple[str, bytes]]:
    kinds = ("trip_started", "trip_ended", "payment", "dispatch")
    return [
        (
            f"{ARCHIVE_PREFIX}event-{n:05d}.json",
            json.dumps({"event_id": n, "kind": kinds[n % len(kinds)]}).encode(),
        )
        for n in range(count)
    ]


def seed_event_archive(put_many: PutMany, report: SeedReport) -> None:
    events = archive_events()
    put_many(DATALAKE_BUCKET, events)
    report.objects += len(events)
    report.note(f"event archive: {len(events)} keys under {ARCHIVE_PREFIX}")


# --- MWAA ---------------------------------------------------------------------------------

DEFAULT_MWAA_REQUIREMENTS = b"apache-airflow-providers-amazon\n"


def seed_mwaa_bucket(s3, project_dir: Path, report: SeedReport) -> None:
    """MWAA reads DAGs from dags/ and the Python requirements from requirements.txt."""
    dags = sorted((project_dir / "dags").glob("*.py"))
    for path in dags:
        s3.put_object(Bucket=MWAA_BUCKET, Key=f"dags/{path.name}", Body=path.read_bytes())
        report.objects += 1
    requirements = project_dir / "dags" / "requirements.txt"
    body = requirements.read_bytes() if requirements.is_file() else DEFAULT_MWAA_REQUIREMENTS
    s3.put_object(Bucket=MWAA_BUCKET, Key="requirements.txt", Body=body)
    report.objects += 1
    source = "dags/requirements.txt" if requirements.is_file() else "built-in default"
    report.note(f"mwaa: {len(dags)} DAG file(s) under dags/, requirements.txt from {source}")
