"""The EMR job on the Glue job's staging output: gold rows checked against hand-computed groups."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import emr_aggregate_gold as emr
import pytest
from hand_computed import groups, valid_trips
from pyspark.sql import types as T


@pytest.fixture(scope="module")
def expected(sample, sample_csv):
    return groups(valid_trips(sample_csv, sample.malformed_lines))


@pytest.fixture(scope="module")
def gold_rows(gold):
    return {(row["pickup_date"].isoformat(), row["pu_location_id"]): row for row in gold.collect()}


def assert_group_matches(row, group):
    assert row["trip_count"] == group.trip_count
    # Money columns are DECIMAL(14,2): the rounded sum of the same values.
    assert float(row["total_distance"]) == pytest.approx(group.total_distance, abs=0.005)
    assert float(row["total_fare"]) == pytest.approx(group.total_fare, abs=0.005)
    if group.avg_tip_rate is None:
        assert row["avg_tip_rate"] is None
    else:
        assert row["avg_tip_rate"] == pytest.approx(group.avg_tip_rate, rel=1e-12)


def test_gold_columns_are_in_redshift_table_order_and_types(gold):
    types = [(f.name, f.dataType.simpleString()) for f in gold.schema.fields]
    assert types == [
        ("pickup_date", "date"),
        ("pu_location_id", "int"),
        ("trip_count", "bigint"),
        ("total_distance", "decimal(14,2)"),
        ("total_fare", "decimal(14,2)"),
        ("avg_tip_rate", "double"),
    ]


def test_one_gold_row_per_day_and_zone(gold_run, gold_rows, expected):
    rows, _ = gold_run
    assert rows == len(gold_rows) == len(expected) == 55
    assert set(gold_rows) == set(expected)
    assert sum(row["trip_count"] for row in gold_rows.values()) == 1200


def test_gold_is_flat_parquet_for_copy(gold_run):
    _, output = gold_run
    assert [p for p in output.iterdir() if p.is_dir()] == []
    assert len(list(output.glob("*.parquet"))) == 1


@pytest.mark.parametrize(
    "pick",
    [
        pytest.param(lambda e: max(e, key=lambda k: e[k].trip_count), id="busiest"),
        pytest.param(lambda e: min(e, key=lambda k: e[k].trip_count), id="quietest"),
        pytest.param(lambda e: ("2024-01-03", 74), id="2024-01-03-zone-74"),
        pytest.param(lambda e: ("2024-01-05", 244), id="2024-01-05-zone-244"),
    ],
)
def test_aggregates_of_a_group_match_hand_computed(pick, gold_rows, expected):
    key = pick(expected)
    assert_group_matches(gold_rows[key], expected[key])


def test_zero_fare_trips_count_but_stay_out_of_the_tip_rate(
    gold_rows, expected, sample, sample_csv
):
    trips = valid_trips(sample_csv, sample.malformed_lines)
    zero = next(t for t in trips if t.fare_amount == 0)
    key = (zero.pickup_date, zero.pu_location_id)
    members = [t for t in trips if (t.pickup_date, t.pu_location_id) == key]
    rates = [t.tip_amount / t.fare_amount for t in members if t.fare_amount > 0]
    assert gold_rows[key]["trip_count"] == len(members) > len(rates)
    assert gold_rows[key]["avg_tip_rate"] == pytest.approx(sum(rates) / len(rates), rel=1e-12)
    assert_group_matches(gold_rows[key], expected[key])


def test_aggregate_gold_on_hand_made_trips(spark):
    schema = T.StructType(
        [
            T.StructField("pickup_date", T.DateType()),
            T.StructField("pu_location_id", T.IntegerType()),
            T.StructField("trip_distance", T.DoubleType()),
            T.StructField("fare_amount", T.DoubleType()),
            T.StructField("tip_amount", T.DoubleType()),
        ]
    )
    day = date(2024, 1, 2)
    trips = spark.createDataFrame(
        [
            (day, 1, 1.25, 10.0, 2.0),  # tip rate 0.2
            (day, 1, 2.0, 20.0, 1.0),  # tip rate 0.05
            (day, 1, 0.5, 0.0, 0.0),  # no fare: counted, not in the tip rate
            (day, 2, 3.0, 0.0, 0.0),  # only a zero fare: tip rate NULL
        ],
        schema,
    )
    rows = {r["pu_location_id"]: r for r in emr.aggregate_gold(trips).collect()}
    assert rows[1]["trip_count"] == 3
    assert rows[1]["total_distance"] == Decimal("3.75")
    assert rows[1]["total_fare"] == Decimal("30.00")
    assert rows[1]["avg_tip_rate"] == pytest.approx(0.125)
    assert rows[2]["trip_count"] == 1
    assert rows[2]["avg_tip_rate"] is None


def test_entry_point_arguments():
    args = emr.parse_args(["--input", "s3://lake/staging/", "--output", "s3://lake/gold/"])
    assert (args.input, args.output) == ("s3://lake/staging/", "s3://lake/gold/")
