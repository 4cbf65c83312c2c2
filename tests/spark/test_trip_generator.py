"""The sample generator is deterministic, matches the committed file and breaks the rows it says."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import generate_green_tripdata as gen
import glue_process_to_staging
from hand_computed import read_rows

COLUMN = {name: index for index, name in enumerate(gen.COLUMNS)}


def parses_as_timestamp(text: str) -> bool:
    try:
        datetime.strptime(text, gen.TIMESTAMP_FORMAT)
    except ValueError:
        return False
    return True


def parses_as_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def breaks_the_rule_of(kind: str, row: list[str]) -> bool:
    """Whether `row` is malformed in the way the generator says."""
    if kind == "too_few_columns":
        return len(row) < len(gen.COLUMNS)
    if kind == "too_many_columns":
        return len(row) > len(gen.COLUMNS)
    pickup, dropoff = row[COLUMN["lpep_pickup_datetime"]], row[COLUMN["lpep_dropoff_datetime"]]
    if kind == "unparseable_pickup_datetime":
        return not parses_as_timestamp(pickup)
    if kind == "unparseable_dropoff_datetime":
        return not parses_as_timestamp(dropoff)
    if kind == "dropoff_before_pickup":
        return dropoff < pickup and parses_as_timestamp(pickup) and parses_as_timestamp(dropoff)
    if kind == "negative_trip_distance":
        return float(row[COLUMN["trip_distance"]]) < 0
    if kind == "non_numeric_fare_amount":
        return not parses_as_number(row[COLUMN["fare_amount"]])
    raise AssertionError(f"unknown kind {kind}")


def is_well_formed(row: list[str]) -> bool:
    pickup, dropoff = row[COLUMN["lpep_pickup_datetime"]], row[COLUMN["lpep_dropoff_datetime"]]
    return (
        len(row) == len(gen.COLUMNS)
        and parses_as_timestamp(pickup)
        and parses_as_timestamp(dropoff)
        and dropoff >= pickup
        and float(row[COLUMN["trip_distance"]]) >= 0
        and parses_as_number(row[COLUMN["fare_amount"]])
    )


def test_same_seed_gives_the_committed_file_byte_for_byte(sample, sample_csv):
    assert gen.generate().to_csv() == sample.to_csv()
    assert sample_csv.read_text(encoding="utf-8") == sample.to_csv()


def test_another_seed_gives_other_trips():
    assert gen.generate(seed=7, rows=50).to_csv() != gen.generate(seed=8, rows=50).to_csv()


def test_header_is_the_schema_the_glue_job_reads():
    assert gen.COLUMNS == glue_process_to_staging.RAW_COLUMNS


def test_sample_has_1200_valid_trips_over_five_january_days(sample):
    assert len(sample.rows) == 1200 + len(gen.MALFORMED_KINDS)
    valid = [row for line, row in enumerate(sample.rows, 2) if line not in sample.malformed_lines]
    assert len(valid) == 1200
    days = {row[COLUMN["lpep_pickup_datetime"]][:10] for row in valid}
    assert days == {f"2024-01-0{day}" for day in range(1, 6)}


def test_every_malformed_row_is_broken_as_reported_and_only_those(sample, sample_csv):
    rows = read_rows(sample_csv)
    assert Counter(sample.malformed_lines.values()) == Counter(gen.MALFORMED_KINDS)
    for index, row in enumerate(rows):
        kind = sample.malformed_lines.get(index + 2)
        if kind is None:
            assert is_well_formed(row), f"line {index + 2} should be valid: {row}"
        else:
            assert breaks_the_rule_of(kind, row), f"line {index + 2} is not {kind}: {row}"
            assert not is_well_formed(row)
