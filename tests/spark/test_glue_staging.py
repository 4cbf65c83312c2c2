"""The Glue job on the committed sample and on the shapes of the public TLC files: what it keeps,
drops (and says), derives and how it partitions; Parquet and CSV input; header checks; when it
refuses to write."""

from __future__ import annotations

import logging
from collections import Counter

import generate_green_tripdata as gen
import glue_process_to_staging as glue
import pytest
from conftest import write_tlc_parquet
from hand_computed import REASON_OF_KIND, read_rows, valid_trips
from pyspark.sql import functions as F

PICKUP_DAYS = [f"2024-01-0{day}" for day in range(1, 6)]
SAMPLE_REJECTED = {
    "invalid_pickup_datetime": 1,
    "invalid_dropoff_datetime": 1,
    "invalid_fare_amount": 2,
    "wrong_column_count": 2,
    "dropoff_before_pickup": 2,
    "negative_trip_distance": 2,
    "negative_amount": 6,
    "pickup_outside_file_month": 3,
}


@pytest.fixture(scope="module")
def trips(sample, sample_csv):
    return valid_trips(sample_csv, sample.dropped_lines)


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


def as_tuples(frame):
    return Counter(tuple(row) for row in frame.select(*glue.STAGING_COLUMNS).collect())


def test_counts_of_kept_and_dropped_rows(staging_run, staging, sample):
    result, _ = staging_run
    assert result.rows_read == 1219
    assert result.rows_written == 1200
    assert result.rows_rejected == 19
    assert result.rejected == dict(
        Counter(REASON_OF_KIND[k] for k in sample.dropped_lines.values())
    )
    assert result.rejected == SAMPLE_REJECTED
    valid = [r for line, r in enumerate(sample.rows, 2) if line not in sample.dropped_lines]
    assert result.kept_notes == {
        "without_vendor": sum(1 for r in valid if r[0] == ""),
        "zero_distance": sum(1 for r in valid if float(r[8]) == 0),
    }
    assert staging.count() == 1200


def test_the_dropped_rows_are_exactly_the_lines_the_generator_drops(spark, sample, sample_csv):
    typed = glue.type_trips(glue.read_raw_trips(spark, str(sample_csv)))
    rejected = typed.where(F.col(glue.REJECT_REASON).isNotNull()).select(
        "raw_lpep_pickup_datetime", glue.REJECT_REASON
    )
    rows = read_rows(sample_csv)
    expected = Counter(
        (rows[line - 2][1], REASON_OF_KIND[kind]) for line, kind in sample.dropped_lines.items()
    )
    assert Counter((r[0], r[1]) for r in rejected.collect()) == expected


def test_dispatched_and_zero_distance_trips_are_kept_with_empty_values(staging, trips):
    dispatched = staging.where(F.col("vendor_id").isNull())
    assert dispatched.count() > 100
    for column in ("ratecode_id", "passenger_count", "payment_type", "trip_type"):
        assert dispatched.where(F.col(column).isNotNull()).count() == 0
    zero = [t for t in trips if t.trip_distance == 0]
    assert zero
    assert staging_row(staging, zero[0])["trip_distance"] == 0.0


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


def test_integers_written_as_floats_give_the_same_staging(spark, sample, staging, tmp_path):
    """A CSV rebuilt from TLC's Parquet writes integers as 2.0: once 100 % dropped, now read."""
    path = tmp_path / "green_tripdata_2024-01.csv"
    path.write_text(sample.to_csv(integers_as_floats=True), encoding="utf-8")
    assert path.read_text().splitlines()[1].startswith("1.0,2024-01-01 00:00:00,")
    output = tmp_path / "staging"
    result = glue.process_to_staging(spark, str(path), str(output))
    assert (result.rows_written, result.rejected) == (1200, SAMPLE_REJECTED)
    assert as_tuples(spark.read.parquet(str(output))) == as_tuples(staging)


def test_tlc_parquet_input_gives_the_same_staging(spark, sample, staging, tmp_path, caplog):
    path = write_tlc_parquet(spark, sample, tmp_path / "green_tripdata_2024-01.parquet")
    output = tmp_path / "staging"
    with caplog.at_level(logging.INFO, logger=glue.LOG.name):
        result = glue.process_to_staging(spark, path, str(output))
    # A typed file cannot hold malformed text: only the well-typed non-trips are dropped.
    assert result.rows_read == 1219 - len(gen.MALFORMED_KINDS)
    assert result.rejected == {
        "dropoff_before_pickup": 2,
        "negative_trip_distance": 2,
        "negative_amount": 6,
        "pickup_outside_file_month": 3,
    }
    assert as_tuples(spark.read.parquet(str(output))) == as_tuples(staging)
    assert "ignoring columns staging does not keep: cbd_congestion_fee" in caplog.text


def test_a_folder_of_csv_and_parquet_files_reads_both(spark, sample, tmp_path):
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "green_tripdata_2024-01.csv").write_text(sample.to_csv(), encoding="utf-8")
    february = gen.generate(start="2024-02-01")
    write_tlc_parquet(spark, february, folder / "green_tripdata_2024-02.parquet")
    (folder / "README.txt").write_text("not trips")
    result = glue.process_to_staging(spark, str(folder), str(tmp_path / "staging"))
    assert result.rows_written == 2400
    assert sorted(result.rows_per_file) == [
        (folder / "green_tripdata_2024-01.csv").as_uri().replace("file:///", "file:/"),
        (folder / "green_tripdata_2024-02.parquet").as_uri().replace("file:///", "file:/"),
    ]


def raw_csv(path, *trips, header=glue.RAW_COLUMNS):
    """Writes a raw CSV of `trips` (dicts of overrides on one valid trip) and returns its path."""
    base = dict.fromkeys(glue.RAW_COLUMNS, "1")
    base.update(ehail_fee="", store_and_fwd_flag="N")
    rows = [{name.lower(): value for name, value in {**base, **t}.items()} for t in trips]
    lines = [",".join(header)] + [",".join(row.get(n.lower(), "") for n in header) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def on_day(day, **overrides):
    return {
        "lpep_pickup_datetime": f"{day} 10:00:00",
        "lpep_dropoff_datetime": f"{day} 10:30:00",
        **overrides,
    }


def test_a_missing_required_column_fails_naming_it_and_extra_columns_are_ignored(spark, tmp_path):
    header = [c for c in glue.RAW_COLUMNS if c != "fare_amount"] + ["airport_fee"]
    path = raw_csv(tmp_path / "green_tripdata_2024-01.csv", on_day("2024-01-02"), header=header)
    with pytest.raises(glue.DataQualityError) as error:
        glue.process_to_staging(spark, path, str(tmp_path / "staging"))
    assert str(error.value) == (
        f"{glue.list_raw_files(spark, path)[0].path}: the csv file lacks the required columns "
        "fare_amount; it has columns the job does not know: airport_fee"
    )
    assert not (tmp_path / "staging").exists()


def test_missing_optional_columns_are_left_empty_and_case_does_not_matter(spark, tmp_path, caplog):
    header = [c.lower() for c in glue.RAW_COLUMNS if c != "congestion_surcharge"]
    path = raw_csv(tmp_path / "green_tripdata_2024-01.csv", on_day("2024-01-02"), header=header)
    with caplog.at_level(logging.INFO, logger=glue.LOG.name):
        result = glue.process_to_staging(spark, path, str(tmp_path / "staging"))
    assert result.rows_written == 1
    row = spark.read.parquet(str(tmp_path / "staging")).first()
    assert row["congestion_surcharge"] is None and row["vendor_id"] == 1
    assert "columns missing, left empty: congestion_surcharge" in caplog.text


def test_a_parquet_column_of_the_wrong_type_fails_naming_it(spark, tmp_path):
    frame = spark.range(1).select(
        *(F.lit("1").alias(c) for c in glue.RAW_COLUMNS if c != "lpep_pickup_datetime"),
        F.lit(True).alias("lpep_pickup_datetime"),
    )
    path = tmp_path / "green_tripdata_2024-01.parquet"
    frame.write.parquet(str(path))
    with pytest.raises(glue.DataQualityError, match="column lpep_pickup_datetime is boolean"):
        glue.process_to_staging(spark, str(path), str(tmp_path / "staging"))


def test_dropping_more_than_the_allowed_share_fails_before_writing(spark, tmp_path):
    good = [on_day("2024-01-02", PULocationID=str(zone)) for zone in range(1, 10)]
    path = raw_csv(
        tmp_path / "green_tripdata_2024-01.csv", *good, on_day("2024-01-02", fare_amount="-5")
    )
    output = tmp_path / "staging"
    with pytest.raises(glue.DataQualityError) as error:
        glue.process_to_staging(spark, path, str(output))
    assert str(error.value) == (
        "dropped 1 of 10 rows (10.0%), more than the 5% --max_drop_share allows "
        f"(negative_amount=1); nothing was written to {output}"
    )
    assert not output.exists()
    result = glue.process_to_staging(spark, path, str(output), max_drop_share=0.2)
    assert result.rows_written == 9


def test_keeping_nothing_fails(spark, tmp_path):
    path = raw_csv(tmp_path / "green_tripdata_2024-01.csv", on_day("2024-02-02"))
    with pytest.raises(glue.DataQualityError, match="kept none of the 1 rows read"):
        glue.process_to_staging(spark, path, str(tmp_path / "staging"), max_drop_share=1)


def test_no_raw_files_fails_naming_the_path(spark, tmp_path):
    pattern = str(tmp_path / "green_tripdata_2024-01.*")
    with pytest.raises(glue.DataQualityError, match="no raw trip files"):
        glue.process_to_staging(spark, pattern, str(tmp_path / "staging"))


def test_a_file_without_a_month_in_its_name_keeps_any_pickup_month(spark, tmp_path, caplog):
    path = raw_csv(tmp_path / "trips.csv", on_day("2009-01-01"), on_day("2024-01-03"))
    with caplog.at_level(logging.INFO, logger=glue.LOG.name):
        result = glue.process_to_staging(spark, path, str(tmp_path / "staging"))
    assert result.rows_written == 2
    assert "no YYYY-MM in the file name: pickup months not checked" in caplog.text


def test_entry_point_logs_counts_per_reason(spark, tmp_path, caplog):
    good = [on_day("2024-01-02", PULocationID=str(zone)) for zone in range(1, 20)]
    raw = raw_csv(
        tmp_path / "green_tripdata_2024-01.csv",
        *good,
        on_day("2024-01-02", fare_amount="abc"),
        on_day("2024-01-03", VendorID=""),
    )
    output = str(tmp_path / "staging")
    with caplog.at_level(logging.INFO, logger=glue.LOG.name):
        assert glue.main(["--input", raw, "--output", output, "--max_drop_share", "0.1"]) == 0
    assert "kept 20, dropped 1 (4.8%): invalid_fare_amount=1" in caplog.text
    assert "dropped 1 rows: invalid_fare_amount (fare_amount does not parse as its type)" in (
        caplog.text
    )
    assert "kept 1 rows: without_vendor (no vendor, rate code" in caplog.text
    assert spark.read.parquet(output).count() == 20


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
    assert (args.JOB_NAME, args.input, args.output, args.max_drop_share) == (
        "process_to_staging_nyc",
        "s3://lake/raw/",
        "s3://lake/staging/",
        0.05,
    )
    with pytest.raises(SystemExit):
        glue.parse_args(["--input", "a", "--output", "b", "--max_drop_share", "5"])


def test_rerun_replaces_only_the_pickup_dates_it_contains(spark, tmp_path):
    output = str(tmp_path / "staging")
    first = raw_csv(
        tmp_path / "green_tripdata_2024-01.csv", on_day("2024-01-02"), on_day("2024-01-03")
    )
    glue.process_to_staging(spark, first, output)
    (tmp_path / "second").mkdir()
    second = raw_csv(
        tmp_path / "second" / "green_tripdata_2024-01.csv",
        on_day("2024-01-02", PULocationID="42"),
        on_day("2024-01-02", PULocationID="43"),
    )
    glue.process_to_staging(spark, second, output)
    rows = spark.read.parquet(output).select("pickup_date", "pu_location_id").collect()
    by_day = sorted((r["pickup_date"].isoformat(), r["pu_location_id"]) for r in rows)
    assert by_day == [("2024-01-02", 42), ("2024-01-02", 43), ("2024-01-03", 1)]
