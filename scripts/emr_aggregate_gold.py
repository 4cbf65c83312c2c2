"""EMR step: staging green-taxi Parquet -> gold aggregates per pickup day and pickup zone.

One gold row per (pickup_date, pu_location_id): trip_count, total_distance, total_fare (sum of
fare_amount), avg_tip_rate (mean of tip_amount / fare_amount over the trips with fare_amount > 0;
NULL when the group has none). The columns are written in the order of the Redshift table
(sql/001_schema.sql), because COPY from Parquet maps columns by position, and without a
directory partition column, which COPY would not see.

Self-contained. Runs on EMR and locally:
    spark-submit s3://LAKE/scripts/emr_aggregate_gold.py --input s3://LAKE/staging/trips/ \\
        --output s3://LAKE/gold/daily_zone/
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

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
MONEY = "decimal(14,2)"


def read_staging(spark: SparkSession, path: str) -> DataFrame:
    """Staging trips; pickup_date comes back from the partition directories."""
    return spark.read.parquet(path)


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


def aggregate_to_gold(spark: SparkSession, input_path: str, output_path: str) -> int:
    """Reads staging at input_path, writes gold at output_path; returns the gold row count."""
    gold = aggregate_gold(read_staging(spark, input_path)).cache()
    try:
        rows = gold.count()
        write_gold(gold, output_path)
    finally:
        gold.unpersist()
    LOG.info("wrote %d gold rows from %s to %s", rows, input_path, output_path)
    return rows


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", required=True, help="staging Parquet path")
    parser.add_argument("--output", required=True, help="gold Parquet path (replaced)")
    return parser.parse_args(argv)


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
    aggregate_to_gold(spark, args.input, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
