"""EMR step: staging green-taxi Parquet -> gold aggregates per pickup day and pickup zone.

One gold row per (pickup_date, pu_location_id): trip_count, total_distance, total_fare (sum of
fare_amount), avg_tip_rate (mean of tip_amount / fare_amount over the trips with fare_amount > 0;
NULL when the group has none). The columns are written in the order of the Redshift table
(sql/001_schema.sql), because COPY from Parquet maps columns by position, and without a
directory partition column, which COPY would not see.

With --month YYYY-MM only that month's pickup dates are aggregated (the run of one month, as
prepare_data_nyc does), else every date in staging. The step fails with a DataQualityError that
says what is wrong when staging is missing, lacks a column the aggregation needs, or holds no
trip for the month, instead of Spark's [UNABLE_TO_INFER_SCHEMA] or an empty gold.

Self-contained. Runs on EMR and locally:
    spark-submit s3://LAKE/scripts/emr_aggregate_gold.py --input s3://LAKE/staging/trips/ \\
        --output s3://LAKE/gold/daily_zone/month=2024-01/ --month 2024-01
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Sequence
from datetime import date

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

LOG = logging.getLogger("emr_aggregate_gold")

# Same order and types as the Redshift table nyc.green_trips_daily_zone.
GOLD_COLUMNS = (
    "pickup_date",  # DATE
    "pu_location_id",  # INTEGER
    "trip_count",  # BIGINT
    "total_distance",  # DECIMAL(14,2)
    "total_fare",  # DECIMAL(14,2)
    "avg_tip_rate",  # DOUBLE PRECISION
)
# The staging columns the aggregation reads.
STAGING_INPUT = ("pickup_date", "pu_location_id", "trip_distance", "fare_amount", "tip_amount")
MONEY = "decimal(14,2)"


class DataQualityError(Exception):
    """The input is not what the step can aggregate: the step fails with this message."""


def month_range(month: str) -> tuple[date, date]:
    """('2024-01') -> (2024-01-01, 2024-02-01): the first day and the next month's first day."""
    if not re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", month):
        raise argparse.ArgumentTypeError(f"--month must be YYYY-MM, got {month!r}")
    year, number = map(int, month.split("-"))
    return date(year, number, 1), date(year + number // 12, number % 12 + 1, 1)


def parquet_files(spark: SparkSession, path: str) -> int:
    """How many Parquet files are under `path` (0 when it does not exist)."""
    jvm = spark.sparkContext._jvm
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
    filesystem = hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    if not filesystem.exists(hadoop_path):
        return 0
    listing, count = filesystem.listFiles(hadoop_path, True), 0
    while listing.hasNext():
        count += listing.next().getPath().getName().endswith(".parquet")
    return count


def read_staging(spark: SparkSession, path: str, month: str | None = None) -> DataFrame:
    """Staging trips (of `month` only, if given); pickup_date comes back from the partition
    directories."""
    if parquet_files(spark, path) == 0:
        raise DataQualityError(
            f"no staging Parquet files at {path}: the staging job has not written there"
        )
    trips = spark.read.parquet(path)
    missing = [name for name in STAGING_INPUT if name not in trips.columns]
    if missing:
        raise DataQualityError(
            f"staging at {path} lacks the columns {', '.join(missing)} "
            f"(it has {', '.join(trips.columns)})"
        )
    if month is not None:
        first, after = month_range(month)
        day = F.col("pickup_date").cast("date")
        trips = trips.where((day >= F.lit(first)) & (day < F.lit(after)))
    return trips


def aggregate_gold(trips: DataFrame) -> DataFrame:
    """Gold aggregates per (pickup_date, pu_location_id), in GOLD_COLUMNS order."""
    tip_rate = F.when(F.col("fare_amount") > 0, F.col("tip_amount") / F.col("fare_amount"))
    return (
        trips.groupBy(F.col("pickup_date").cast("date").alias("pickup_date"), "pu_location_id")
        .agg(
            F.count(F.lit(1)).alias("trip_count"),
            F.round(F.sum("trip_distance"), 2).cast(MONEY).alias("total_distance"),
            F.round(F.sum("fare_amount"), 2).cast(MONEY).alias("total_fare"),
            F.avg(tip_rate).alias("avg_tip_rate"),
        )
        .select(*GOLD_COLUMNS)
    )


def write_gold(gold: DataFrame, path: str) -> None:
    """Replaces the gold Parquet at `path`: one file (a few thousand rows a month), sorted like
    the Redshift sort key so COPY appends in order."""
    (
        gold.repartition(1)
        .sortWithinPartitions("pickup_date", "pu_location_id")
        .write.mode("overwrite")
        .parquet(path)
    )


def aggregate_to_gold(
    spark: SparkSession, input_path: str, output_path: str, month: str | None = None
) -> int:
    """Reads staging at input_path, writes gold at output_path; returns the gold row count."""
    gold = aggregate_gold(read_staging(spark, input_path, month)).cache()
    try:
        rows = gold.count()
        if rows == 0:
            raise DataQualityError(
                f"no staging trips for {month or 'any date'} at {input_path}; "
                f"nothing was written to {output_path}"
            )
        trips = gold.agg(F.sum("trip_count")).first()[0]
        write_gold(gold, output_path)
    finally:
        gold.unpersist()
    LOG.info(
        "aggregated %d trips of %s from %s into %d gold rows at %s",
        trips,
        month or "every date",
        input_path,
        rows,
        output_path,
    )
    return rows


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", required=True, help="staging Parquet path")
    parser.add_argument("--output", required=True, help="gold Parquet path (replaced)")
    parser.add_argument("--month", help="YYYY-MM: aggregate only the pickups of this month")
    args = parser.parse_args(argv)
    if args.month is not None:
        try:
            month_range(args.month)
        except argparse.ArgumentTypeError as error:
            parser.error(str(error))
    return args


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    args = parse_args(sys.argv[1:] if argv is None else argv)
    spark = (
        SparkSession.builder.appName("emr_aggregate_gold")
        # No _SUCCESS marker next to the Parquet files: COPY loads every object under gold/.
        .config("spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    aggregate_to_gold(spark, args.input, args.output, args.month)
    return 0


if __name__ == "__main__":
    sys.exit(main())
