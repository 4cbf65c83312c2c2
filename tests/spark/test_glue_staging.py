"""The Glue job on the committed sample: what it keeps, drops, derives and how it partitions."""

from __future__ import annotations

import logging
from collections import Counter

import glue_process_to_staging as glue
import pytest
from hand_computed import REASON_OF_KIND, read_rows, valid_trips
from pyspark.sql import functions as F

PICKUP_DAYS = [f"2024-01-0{day}" for day in range(1, 6)]


@pytest.fixture(scope="module")
def trips(sample, sample_csv):
    return valid_trips(sample_csv, sample.malformed_lines)


def staging_row(staging, trip):
    """The staging row of a hand-read trip, matched on its pickup, dropoff and zone."""
    as_text = "yyyy-MM-dd HH:mm:ss"
    rows = staging.where(
        (F.date_format("pickup_datetime", as_text) == trip.pickup)
        & (F.date_format("dropoff_datetime", as_text) == trip.dropoff)
        & (F.col("pu_location_id") == trip.pu_location_id)
    ).collect()
    assert len(rows) == 1, f"expected one staging row for {trip}, got {rows}"
    return rows[0]


def test_counts_of_kept_and_dropped_rows(staging_run, staging, sample):
    result, _ = staging_run
    assert result.rows_read == 1210
    assert result.rows_written == 1200
    assert result.rows_rejected == 10
    assert result.rejected == dict(
        Counter(REASON_OF_KIND[k] for k in sample.malformed_lines.values())
    )
    assert result.rejected == {
        "invalid_pickup_datetime": 1,
        "invalid_dropoff_datetime": 1,
        "dropoff_before_pickup": 2,
        "negative_trip_distance": 2,
        "invalid_fare_amount": 2,
        "wrong_column_count": 2,
    }
    assert staging.count() == 1200


def test_the_dropped_rows_are_exactly_the_malformed_lines(spark, sample, sample_csv):
    typed = glue.type_trips(glue.read_raw_trips(spark, str(sample_csv)))
    rejected = typed.where(F.col(glue.REJECT_REASON).isNotNull()).select(
        "raw_lpep_pickup_datetime", glue.REJECT_REASON
    )
    rows = read_rows(sample_csv)
    expected = Counter(
        (rows[line - 2][1], REASON_OF_KIND[kind]) for line, kind in sample.malformed_lines.items()
    )
    assert Counter((r[0], r[1]) for r in rejected.collect()) == expected


def test_staging_schema_is_typed(staging):
    types = {field.name: field.dataType.simpleString() for field in staging.schema.fields}
    assert list(types) == list(glue.STAGING_COLUMNS)
    assert types["vendor_id"] == "int"
    assert types["pickup_datetime"] == types["dropoff_datetime"] == "timestamp"
    assert types["pu_location_id"] == types["passenger_count"] == "int"
    assert types["trip_distance"] == types["fare_amount"] == types["tip_amount"] == "double"
    assert types["trip_duration_minutes"] == "double"
    assert types["pickup_date"] == "date"


def test_duration_of_first_longest_and_midnight_crossing_trips(staging, trips):
    crossing = next(t for t in trips if t.dropoff[:10] != t.pickup_date)
    longest = max(trips, key=lambda t: t.duration_minutes)
    for trip in (trips[0], longest, crossing):
        row = staging_row(staging, trip)
        assert row["trip_duration_minutes"] == pytest.approx(trip.duration_minutes, abs=1e-9)
    assert longest.duration_minutes > 50
    assert staging.where(F.col("trip_duration_minutes") < 0).count() == 0


def test_partitioned_by_pickup_date(staging_run, staging, trips):
    _, output = staging_run
    partitions = sorted(p.name for p in output.iterdir() if p.is_dir())
    assert partitions == [f"pickup_date={day}" for day in PICKUP_DAYS]
    per_day = {
        row["pickup_date"].isoformat(): row["count"]
        for row in staging.groupBy("pickup_date").count().collect()
    }
    assert per_day == dict(Counter(t.pickup_date for t in trips))
    assert staging.where(F.col("pickup_date") != F.to_date("pickup_datetime")).count() == 0


def test_trip_crossing_midnight_stays_in_its_pickup_partition(spark, staging_run, trips):
    _, output = staging_run
    crossing = next(t for t in trips if t.dropoff[:10] != t.pickup_date)
    partition = spark.read.parquet(str(output / f"pickup_date={crossing.pickup_date}"))
    pickups = {
        r[0]
        for r in partition.select(F.date_format("pickup_datetime", "yyyy-MM-dd HH:mm:ss")).collect()
    }
    assert crossing.pickup in pickups


def test_entry_point_accepts_glue_style_arguments():
    args = glue.parse_args(
        [
            "--JOB_NAME",
            "process_to_staging_nyc",
            "--input",
            "s3://lake/raw/",
            "--output",
            "s3://lake/staging/",
            "--job-bookmark-option",
            "job-bookmark-disable",
        ]
    )
    assert (args.JOB_NAME, args.input, args.output) == (
        "process_to_staging_nyc",
        "s3://lake/raw/",
        "s3://lake/staging/",
    )


def raw_csv(path, *trips):
    """Writes a raw CSV of `trips` (dicts of overrides on one valid trip) and returns its path."""
    base = dict.fromkeys(glue.RAW_COLUMNS, "1")
    base.update(ehail_fee="", store_and_fwd_flag="N")
    lines = [",".join(glue.RAW_COLUMNS)] + [",".join({**base, **t}.values()) for t in trips]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def on_day(day, **overrides):
    return {
        "lpep_pickup_datetime": f"{day} 10:00:00",
        "lpep_dropoff_datetime": f"{day} 10:30:00",
        **overrides,
    }


def test_entry_point_logs_the_dropped_count(spark, tmp_path, caplog):
    raw = raw_csv(
        tmp_path / "raw.csv",
        on_day("2024-01-02"),
        on_day("2024-01-02", fare_amount="abc"),
        on_day("2024-01-03"),
    )
    output = str(tmp_path / "staging")
    with caplog.at_level(logging.INFO, logger=glue.LOG.name):
        assert glue.main(["--input", raw, "--output", output]) == 0
    assert "read 3 rows" in caplog.text
    assert "wrote 2 to" in caplog.text
    assert "dropped 1 invalid rows: invalid_fare_amount=1" in caplog.text
    assert spark.read.parquet(output).count() == 2


def test_rerun_replaces_only_the_pickup_dates_it_contains(spark, tmp_path):
    output = str(tmp_path / "staging")
    first = raw_csv(tmp_path / "first.csv", on_day("2024-01-02"), on_day("2024-01-03"))
    glue.process_to_staging(spark, first, output)
    second = raw_csv(
        tmp_path / "second.csv",
        on_day("2024-01-02", PULocationID="42"),
        on_day("2024-01-02", PULocationID="43"),
    )
    glue.process_to_staging(spark, second, output)
    rows = spark.read.parquet(output).select("pickup_date", "pu_location_id").collect()
    by_day = sorted((r["pickup_date"].isoformat(), r["pu_location_id"]) for r in rows)
    assert by_day == [("2024-01-02", 42), ("2024-01-02", 43), ("2024-01-03", 1)]
