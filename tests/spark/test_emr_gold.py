"""The EMR job on the Glue job's staging output: gold rows checked against hand-computed groups
and against the committed expectation the sandbox story test compares the warehouse with; one
month at a time; clear failures instead of Spark's on a missing or empty staging."""

from __future__ import annotations

import csv
import io
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import emr_aggregate_gold as emr
import glue_process_to_staging as glue
import pytest
from hand_computed import groups, valid_trips
from pyspark.sql import functions as F
from pyspark.sql import types as T

# What the sandbox's warehouse must hold after prepare_data_nyc ran for 2024-01 on the committed
# sample (tests/sandbox_airflow.rs reads it). REGENERATE_EXPECTATIONS=1 rewrites it from Spark.
GOLD_EXPECTATION = (
    Path(__file__).resolve().parents[1] / "fixtures" / "gold" / "green_trips_daily_zone_2024-01.csv"
)


@pytest.fixture(scope="module")
def expected(sample, sample_csv):
    return groups(valid_trips(sample_csv, sample.dropped_lines))


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
    trips = valid_trips(sample_csv, sample.dropped_lines)
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
    assert (args.input, args.output, args.month) == ("s3://lake/staging/", "s3://lake/gold/", None)
    args = emr.parse_args(["--input", "i", "--output", "o", "--month", "2024-12"])
    assert args.month == "2024-12"
    assert emr.month_range("2024-12") == (date(2024, 12, 1), date(2025, 1, 1))


def gold_csv(rows) -> str:
    """Gold rows as the expectation file writes them: money as DECIMAL(14,2) text, the tip
    rate as Python's round-trip float text (empty for NULL)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(emr.GOLD_COLUMNS)
    for row in sorted(rows, key=lambda r: (r["pickup_date"], r["pu_location_id"])):
        rate = row["avg_tip_rate"]
        writer.writerow(
            [
                row["pickup_date"].isoformat(),
                row["pu_location_id"],
                row["trip_count"],
                f"{row['total_distance']:.2f}",
                f"{row['total_fare']:.2f}",
                "" if rate is None else repr(rate),
            ]
        )
    return out.getvalue()


def test_gold_is_the_committed_expectation_of_the_sandbox_story(gold):
    text = gold_csv(gold.collect())
    if os.environ.get("REGENERATE_EXPECTATIONS") == "1":
        GOLD_EXPECTATION.parent.mkdir(parents=True, exist_ok=True)
        GOLD_EXPECTATION.write_text(text, encoding="utf-8")
    assert GOLD_EXPECTATION.read_text(encoding="utf-8") == text, (
        f"{GOLD_EXPECTATION} is stale: rerun with REGENERATE_EXPECTATIONS=1 and review the diff"
    )


@pytest.fixture(scope="module")
def two_months(spark, staging_run, tmp_path_factory):
    """Staging holding the sample's January and one February trip."""
    output = tmp_path_factory.mktemp("two_months") / "staging"
    january = spark.read.parquet(str(staging_run[1]))
    february = january.limit(1).withColumn("pickup_date", F.lit(date(2024, 2, 3)))
    glue.write_staging(january.unionByName(february), str(output))
    return output


def test_a_month_aggregates_only_its_pickup_dates(spark, two_months, tmp_path):
    output = tmp_path / "gold"
    assert emr.aggregate_to_gold(spark, str(two_months), str(output), "2024-02") == 1
    rows = spark.read.parquet(str(output)).collect()
    assert [(r["pickup_date"], r["trip_count"]) for r in rows] == [(date(2024, 2, 3), 1)]
    assert emr.aggregate_to_gold(spark, str(two_months), str(output), "2024-01") == 55


def test_a_month_without_trips_fails_saying_so(spark, two_months, tmp_path):
    output = tmp_path / "gold"
    with pytest.raises(emr.DataQualityError) as error:
        emr.aggregate_to_gold(spark, str(two_months), str(output), "2024-03")
    assert str(error.value) == (
        f"no staging trips for 2024-03 at {two_months}; nothing was written to {output}"
    )
    assert not output.exists()


def test_missing_staging_fails_saying_so_instead_of_unable_to_infer_schema(spark, tmp_path):
    empty = tmp_path / "staging"
    empty.mkdir()
    with pytest.raises(emr.DataQualityError, match="no staging Parquet files at"):
        emr.aggregate_to_gold(spark, str(empty), str(tmp_path / "gold"))
    with pytest.raises(emr.DataQualityError, match="no staging Parquet files at"):
        emr.aggregate_to_gold(spark, str(tmp_path / "nothing"), str(tmp_path / "gold"))


def test_staging_without_a_needed_column_fails_naming_it(spark, tmp_path):
    staging = tmp_path / "staging"
    spark.range(3).withColumnRenamed("id", "pu_location_id").write.parquet(str(staging))
    with pytest.raises(emr.DataQualityError, match="lacks the columns pickup_date, trip_distance"):
        emr.aggregate_to_gold(spark, str(staging), str(tmp_path / "gold"))


def test_a_bad_month_argument_is_refused():
    with pytest.raises(SystemExit):
        emr.parse_args(["--input", "a", "--output", "b", "--month", "2024-13"])
