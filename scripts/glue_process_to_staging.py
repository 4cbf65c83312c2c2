"""Glue job: raw green-taxi CSV -> typed, cleaned staging Parquet partitioned by pickup_date.

Every row is typed against the public file's schema. A row is dropped, with a reason, when its
column count is wrong, a required value is missing, a value does not parse as its column's type,
its dropoff is before its pickup, or its trip distance is negative. The dropped rows are counted
per reason and logged. Kept rows get trip_duration_minutes and pickup_date.

Self-contained (Glue runs the one script file). Runs on Glue, on EMR and locally:
    Glue job arguments:  --JOB_NAME name --input s3://LAKE/raw/green_tripdata/
                         --output s3://LAKE/staging/trips/
    spark-submit:        scripts/glue_process_to_staging.py --input PATH --output PATH
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

LOG = logging.getLogger("glue_process_to_staging")

CORRUPT_RECORD = "_corrupt_record"
REJECT_REASON = "reject_reason"
TIMESTAMP_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"


@dataclass(frozen=True)
class Field:
    raw: str  # column name in the public CSV
    name: str  # column name in staging
    sql_type: str  # Spark SQL type the raw text must parse as
    required: bool = False

    @property
    def text(self) -> str:
        """Column that holds the raw text next to the typed columns (names overlap otherwise)."""
        return f"raw_{self.raw}"


FIELDS = (
    Field("VendorID", "vendor_id", "INT", required=True),
    Field("lpep_pickup_datetime", "pickup_datetime", "TIMESTAMP", required=True),
    Field("lpep_dropoff_datetime", "dropoff_datetime", "TIMESTAMP", required=True),
    Field("store_and_fwd_flag", "store_and_fwd_flag", "STRING"),
    Field("RatecodeID", "ratecode_id", "INT"),
    Field("PULocationID", "pu_location_id", "INT", required=True),
    Field("DOLocationID", "do_location_id", "INT", required=True),
    Field("passenger_count", "passenger_count", "INT"),
    Field("trip_distance", "trip_distance", "DOUBLE", required=True),
    Field("fare_amount", "fare_amount", "DOUBLE", required=True),
    Field("extra", "extra", "DOUBLE"),
    Field("mta_tax", "mta_tax", "DOUBLE"),
    Field("tip_amount", "tip_amount", "DOUBLE"),
    Field("tolls_amount", "tolls_amount", "DOUBLE"),
    Field("ehail_fee", "ehail_fee", "DOUBLE"),
    Field("improvement_surcharge", "improvement_surcharge", "DOUBLE"),
    Field("total_amount", "total_amount", "DOUBLE", required=True),
    Field("payment_type", "payment_type", "INT"),
    Field("trip_type", "trip_type", "INT"),
    Field("congestion_surcharge", "congestion_surcharge", "DOUBLE"),
)
RAW_COLUMNS = tuple(field.raw for field in FIELDS)
STAGING_COLUMNS = (
    *(field.name for field in FIELDS),
    "trip_duration_minutes",
    "pickup_date",
)

# Every raw column is read as text, so the CSV reader itself never fails a value: typing happens
# below, where a failure becomes a counted reject reason. The reader flags a row whose column
# count differs from the header's in CORRUPT_RECORD.
RAW_SCHEMA = StructType(
    [StructField(name, StringType()) for name in RAW_COLUMNS]
    + [StructField(CORRUPT_RECORD, StringType())]
)


@dataclass(frozen=True)
class StagingResult:
    rows_read: int
    rows_written: int
    rejected: dict[str, int]

    @property
    def rows_rejected(self) -> int:
        return sum(self.rejected.values())


def read_raw_trips(spark: SparkSession, path: str) -> DataFrame:
    """The raw CSV file(s) under `path`, all columns as strings plus CORRUPT_RECORD."""
    return (
        spark.read.schema(RAW_SCHEMA)
        .option("header", True)
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT_RECORD)
        .csv(path)
    )


def parse_value(field: Field) -> Column:
    """The field's raw text typed as its SQL type; NULL when empty or when it does not parse."""
    text = f"nullif(trim(`{field.text}`), '')"
    if field.sql_type == "TIMESTAMP":
        # A cast alone accepts partial forms such as '2024-01-01': demand the file's format.
        text = f"CASE WHEN {text} RLIKE '{TIMESTAMP_PATTERN}' THEN {text} END"
    return F.expr(f"try_cast({text} AS {field.sql_type})")


def is_blank(field: Field) -> Column:
    return F.col(field.text).isNull() | (F.trim(F.col(field.text)) == "")


def reject_reason() -> Column:
    """The first rule a typed row breaks, or NULL for a valid row. Evaluated on typed columns."""
    checks = [F.when(F.col(CORRUPT_RECORD).isNotNull(), F.lit("wrong_column_count"))]
    for field in FIELDS:
        if field.required:
            checks.append(F.when(is_blank(field), F.lit(f"missing_{field.name}")))
        checks.append(
            F.when(~is_blank(field) & F.col(field.name).isNull(), F.lit(f"invalid_{field.name}"))
        )
    checks.append(
        F.when(F.col("dropoff_datetime") < F.col("pickup_datetime"), F.lit("dropoff_before_pickup"))
    )
    checks.append(F.when(F.col("trip_distance") < 0, F.lit("negative_trip_distance")))
    return F.coalesce(*checks)


def type_trips(raw: DataFrame) -> DataFrame:
    """Raw rows with every staging column typed and REJECT_REASON set (NULL = valid)."""
    typed = raw.select(
        *(F.col(field.raw).alias(field.text) for field in FIELDS),
        F.col(CORRUPT_RECORD),
        *(parse_value(field).alias(field.name) for field in FIELDS),
    )
    return typed.withColumn(REJECT_REASON, reject_reason())


def with_derived_columns(trips: DataFrame) -> DataFrame:
    """Adds trip_duration_minutes (2 decimals) and pickup_date to typed trips."""
    seconds = F.unix_timestamp("dropoff_datetime") - F.unix_timestamp("pickup_datetime")
    return trips.withColumn("trip_duration_minutes", F.round(seconds / 60.0, 2)).withColumn(
        "pickup_date", F.to_date("pickup_datetime")
    )


def valid_trips(typed: DataFrame) -> DataFrame:
    """The staging rows: valid typed trips with derived columns, in STAGING_COLUMNS order."""
    valid = typed.where(F.col(REJECT_REASON).isNull())
    return with_derived_columns(valid).select(*STAGING_COLUMNS)


def count_rejects(typed: DataFrame) -> dict[str, int]:
    """Number of dropped rows per reject reason."""
    rows = typed.where(F.col(REJECT_REASON).isNotNull()).groupBy(REJECT_REASON).count().collect()
    return {row[REJECT_REASON]: row["count"] for row in rows}


def write_staging(trips: DataFrame, path: str) -> None:
    """Parquet partitioned by pickup_date; a rerun replaces only the dates it contains."""
    (
        trips.repartition("pickup_date")
        .write.mode("overwrite")
        .option("partitionOverwriteMode", "dynamic")
        .partitionBy("pickup_date")
        .parquet(path)
    )


def process_to_staging(spark: SparkSession, input_path: str, output_path: str) -> StagingResult:
    """Reads raw CSV at input_path, writes staging Parquet at output_path, logs the drops."""
    typed = type_trips(read_raw_trips(spark, input_path)).cache()
    try:
        rows_read = typed.count()
        rejected = count_rejects(typed)
        valid = valid_trips(typed)
        write_staging(valid, output_path)
    finally:
        typed.unpersist()
    result = StagingResult(rows_read, rows_read - sum(rejected.values()), rejected)
    LOG.info(
        "read %d rows from %s, wrote %d to %s, dropped %d invalid rows: %s",
        result.rows_read,
        input_path,
        result.rows_written,
        output_path,
        result.rows_rejected,
        ", ".join(f"{reason}={count}" for reason, count in sorted(rejected.items())) or "none",
    )
    return result


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Glue's resolved options when awsglue is importable, plain argparse otherwise. Unknown
    arguments (Glue adds --job-bookmark-option, --TempDir, ...) are ignored."""
    try:
        from awsglue.utils import getResolvedOptions
    except ImportError:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--input", required=True, help="raw CSV path (file or prefix)")
        parser.add_argument("--output", required=True, help="staging Parquet path")
        parser.add_argument("--JOB_NAME", default="glue_process_to_staging")
        args, _unknown = parser.parse_known_args(argv)
        return args
    # getResolvedOptions reads a sys.argv-style list: program name first.
    options = getResolvedOptions([sys.argv[0], *argv], ["JOB_NAME", "input", "output"])
    return argparse.Namespace(**options)


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        from awsglue.context import GlueContext
        from awsglue.job import Job
    except ImportError:
        spark = SparkSession.builder.appName(args.JOB_NAME).getOrCreate()
        job = None
    else:
        from pyspark.context import SparkContext

        glue_context = GlueContext(SparkContext.getOrCreate())
        spark = glue_context.spark_session
        job = Job(glue_context)
        job.init(args.JOB_NAME, vars(args))
    # Raw timestamps carry no zone: read and write them as UTC so no host zone shifts them.
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    process_to_staging(spark, args.input, args.output)
    if job is not None:
        job.commit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
