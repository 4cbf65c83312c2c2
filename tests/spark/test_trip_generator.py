"""The sample generator is deterministic, matches the committed file, makes the shapes of the
public TLC files and breaks exactly the rows it says."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

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


def value(row: list[str], name: str) -> str:
    return row[COLUMN[name]]


def breaks_the_rule_of(kind: str, row: list[str]) -> bool:
    """Whether `row` is dropped for the reason the generator says (file month 2024-01)."""
    if kind == "too_few_columns":
        return len(row) < len(gen.COLUMNS)
    if kind == "too_many_columns":
        return len(row) > len(gen.COLUMNS)
    pickup, dropoff = value(row, "lpep_pickup_datetime"), value(row, "lpep_dropoff_datetime")
    if kind == "unparseable_pickup_datetime":
        return not parses_as_timestamp(pickup)
    if kind == "unparseable_dropoff_datetime":
        return not parses_as_timestamp(dropoff)
    if kind == "dropoff_before_pickup":
        return dropoff < pickup and parses_as_timestamp(pickup) and parses_as_timestamp(dropoff)
    if kind == "negative_trip_distance":
        return float(value(row, "trip_distance")) < 0
    if kind == "non_numeric_fare_amount":
        return not parses_as_number(value(row, "fare_amount"))
    if kind == "refund":
        return float(value(row, "fare_amount")) < 0 or float(value(row, "total_amount")) < 0
    if kind.startswith("pickup_in_"):
        return parses_as_timestamp(pickup) and not pickup.startswith("2024-01-")
    raise AssertionError(f"unknown kind {kind}")


def is_a_trip_of_the_month(row: list[str]) -> bool:
    pickup, dropoff = value(row, "lpep_pickup_datetime"), value(row, "lpep_dropoff_datetime")
    return (
        len(row) == len(gen.COLUMNS)
        and parses_as_timestamp(pickup)
        and parses_as_timestamp(dropoff)
        and pickup.startswith("2024-01-")
        and dropoff >= pickup
        and float(value(row, "trip_distance")) >= 0
        and parses_as_number(value(row, "fare_amount"))
        and float(value(row, "fare_amount")) >= 0
        and float(value(row, "total_amount")) >= 0
    )


def test_same_seed_gives_the_committed_file_byte_for_byte(sample, sample_csv):
    assert gen.generate().to_csv() == sample.to_csv()
    assert sample_csv.read_text(encoding="utf-8") == sample.to_csv()


def test_another_seed_gives_other_trips():
    assert gen.generate(seed=7, rows=50).to_csv() != gen.generate(seed=8, rows=50).to_csv()


def test_another_month_gives_the_same_trips_moved(sample):
    """The sandbox seeds last month's file with the same seed: the same trips, other dates."""
    moved = gen.generate(start="2026-11-01")
    assert moved.dropped_lines == sample.dropped_lines
    shift = datetime(2026, 11, 1) - datetime(2024, 1, 1)
    for line, (old, new) in enumerate(zip(sample.rows, moved.rows, strict=True), 2):
        if line in sample.dropped_lines:
            continue
        assert [v for i, v in enumerate(new) if i not in (1, 2)] == [
            v for i, v in enumerate(old) if i not in (1, 2)
        ]
        for column in ("lpep_pickup_datetime", "lpep_dropoff_datetime"):
            then = datetime.strptime(value(old, column), gen.TIMESTAMP_FORMAT)
            assert value(new, column) == (then + shift).strftime(gen.TIMESTAMP_FORMAT)


def test_header_is_the_schema_the_glue_job_reads():
    assert gen.COLUMNS == glue_process_to_staging.RAW_COLUMNS


def test_sample_has_1200_valid_trips_over_five_january_days(sample):
    assert len(sample.rows) == 1200 + len(gen.DROPPED_KINDS) == 1219
    valid = [row for line, row in enumerate(sample.rows, 2) if line not in sample.dropped_lines]
    assert len(valid) == 1200
    days = {value(row, "lpep_pickup_datetime")[:10] for row in valid}
    assert days == {f"2024-01-0{day}" for day in range(1, 6)}


def test_sample_has_the_shapes_of_the_public_files(sample):
    valid = [row for line, row in enumerate(sample.rows, 2) if line not in sample.dropped_lines]
    dispatched = [row for row in valid if value(row, "VendorID") == ""]
    assert 0.12 < len(dispatched) / len(valid) < 0.18, "about 15 % dispatched trips"
    for row in dispatched:
        assert {
            value(row, name)
            for name in ("RatecodeID", "passenger_count", "payment_type", "trip_type")
        } == {""}
    zero = [row for row in valid if float(value(row, "trip_distance")) == 0]
    assert zero and all(float(value(row, "fare_amount")) >= 0 for row in zero)
    refunds = [
        row for line, row in enumerate(sample.rows, 2) if sample.dropped_lines.get(line) == "refund"
    ]
    assert len(refunds) == 6
    assert all(value(row, "payment_type") in ("3", "4") for row in refunds)


def test_every_dropped_row_is_broken_as_reported_and_only_those(sample, sample_csv):
    rows = read_rows(sample_csv)
    assert Counter(sample.dropped_lines.values()) == Counter(gen.DROPPED_KINDS)
    for index, row in enumerate(rows):
        kind = sample.dropped_lines.get(index + 2)
        if kind is None:
            assert is_a_trip_of_the_month(row), f"line {index + 2} should be valid: {row}"
        else:
            assert breaks_the_rule_of(kind, row), f"line {index + 2} is not {kind}: {row}"
            assert not is_a_trip_of_the_month(row)


def test_integers_as_floats_changes_only_the_integer_columns(sample):
    floats = gen.Sample(sample.rows, sample.dropped_lines).to_csv(integers_as_floats=True)
    line = floats.splitlines()[1].split(",")
    plain = sample.to_csv().splitlines()[1].split(",")
    for name, index in COLUMN.items():
        if name in gen.INTEGER_COLUMNS and plain[index]:
            assert line[index] == plain[index] + ".0"
        else:
            assert line[index] == plain[index]


def test_parquet_rows_are_typed_like_tlcs_and_leave_out_only_malformed_text(sample):
    typed = gen.tlc_parquet_rows(sample)
    malformed = sum(1 for kind in sample.dropped_lines.values() if kind in gen.MALFORMED_KINDS)
    assert len(typed) == len(sample.rows) - malformed
    names = [name for name, _ in gen.PARQUET_COLUMNS]
    first = dict(zip(names, typed[0], strict=True))
    assert isinstance(first["lpep_pickup_datetime"], datetime)
    assert isinstance(first["RatecodeID"], float) and isinstance(first["PULocationID"], int)
    assert first["cbd_congestion_fee"] == 0.0
    assert first["lpep_dropoff_datetime"] - first["lpep_pickup_datetime"] >= timedelta(0)
