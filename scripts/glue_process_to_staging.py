"""Glue job: raw green-taxi trips (TLC CSV or Parquet) -> typed, cleaned staging Parquet
partitioned by pickup_date.

Each raw file (.csv, .csv.gz, .parquet; a file, folder or glob) is checked against the TLC
green-taxi columns by name: a missing required column fails the job naming it, missing optional
columns stay empty and extra columns (newer files have more) are ignored, both logged. Every
value is typed from its text, Parquet's too, so both formats follow the same rules (integers may
be written `2.0`). A row is dropped, with a reason, when its column count is wrong, a required
value is missing or a value does not parse, its dropoff is before its pickup, its distance is
negative, its fare or total is negative (a refund or void, not a trip), or its pickup is not in
the file's month (the `YYYY-MM` of its name). Trips without vendor, rate code, passenger count,
payment and trip type (dispatched trips) and zero-distance trips are kept and counted.
data/README.md explains each rule. Kept rows get trip_duration_minutes and pickup_date.

The job logs the rows read per file, the drops per reason and the kept notes, and fails with a
DataQualityError before writing anything when it keeps no row or drops more than
--max_drop_share (default 0.05) of the rows read.

Self-contained (Glue runs the one script file). Runs on Glue, on EMR and locally:
    Glue job arguments:  --JOB_NAME name --input s3://LAKE/raw/green_tripdata/green_tripdata_2024-01.*
                         --output s3://LAKE/staging/trips/ [--max_drop_share 0.05]
    spark-submit:        scripts/glue_process_to_staging.py --input PATH --output PATH
"""

from __future__ import annotations

import argparse
import csv
import functools
import logging
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

LOG = logging.getLogger("glue_process_to_staging")

CORRUPT_RECORD = "_corrupt_record"
REJECT_REASON = "reject_reason"
SOURCE_FILE = "source_file"
FILE_MONTH = "file_month"
TIMESTAMP_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"
# Integers as TLC files write them: `2`, or `2.0` in files rebuilt from its Parquet files.
INTEGER_PATTERN = "^[+-]?[0-9]+([.]0*)?$"
DECIMAL_PATTERN = "^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$"
MONTH_IN_NAME = re.compile(r"(?<![0-9])([0-9]{4}-(0[1-9]|1[0-2]))(?![0-9])")
FORMATS = {".csv": "csv", ".csv.gz": "csv", ".parquet": "parquet"}
DEFAULT_MAX_DROP_SHARE = 0.05

# Why rows are dropped, in the words the log uses (missing_<column>, invalid_<column> too).
DROP_REASONS = {
    "wrong_column_count": "a CSV line with more or fewer fields than its header",
    "dropoff_before_pickup": "dropoff earlier than pickup",
    "negative_trip_distance": "trip distance below zero",
    "negative_amount": "fare or total below zero: a refund or void, not a trip",
    "pickup_outside_file_month": "pickup not in the month the file is for",
}
# Kept rows worth counting: real trips with a shape on-call should know about.
KEPT_NOTES = {
    "without_vendor": "no vendor, rate code, passenger count, payment or trip type (dispatched)",
    "zero_distance": "trip distance 0 (billed, distance not recorded)",
}


class DataQualityError(Exception):
    """The input is not what the job can process: the job fails with this message."""


@dataclass(frozen=True)
class Field:
    raw: str  # column name in the public file
    name: str  # column name in staging
    sql_type: str  # Spark SQL type the raw text must parse as
    required: bool = False

    @property
    def text(self) -> str:
        """Column that holds the raw text next to the typed columns (names overlap otherwise)."""
        return f"raw_{self.raw}"


FIELDS = (
    Field("VendorID", "vendor_id", "INT"),
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
# Parquet column types whose values have a text form the rules can type.
PARQUET_TEXT_TYPES = ("string", "tinyint", "smallint", "int", "bigint", "float", "double")
PARQUET_TIMESTAMP_TYPES = ("timestamp", "timestamp_ntz")


@dataclass(frozen=True)
class RawFile:
    path: str
    format: str  # "csv" or "parquet"
    month: str | None  # "2024-01" from the file's name; None when its name has no month


@dataclass
class StagingResult:
    rows_read: int
    rows_written: int
    rejected: dict[str, int]
    kept_notes: dict[str, int] = dataclass_field(default_factory=dict)
    rows_per_file: dict[str, int] = dataclass_field(default_factory=dict)

    @property
    def rows_rejected(self) -> int:
        return sum(self.rejected.values())

    @property
    def drop_share(self) -> float:
        return self.rows_rejected / self.rows_read if self.rows_read else 0.0


def format_of(name: str) -> str | None:
    lower = name.lower()
    return next((fmt for suffix, fmt in FORMATS.items() if lower.endswith(suffix)), None)


def list_raw_files(spark: SparkSession, path: str) -> list[RawFile]:
    """The raw files a path, folder or glob names (Hadoop's listing: S3 on Glue and EMR)."""
    jvm = spark.sparkContext._jvm
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
    filesystem = hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    found = []
    for status in filesystem.globStatus(hadoop_path) or []:
        if status.isDirectory():
            listing = filesystem.listFiles(status.getPath(), True)
            while listing.hasNext():
                found.append(listing.next().getPath().toString())
        else:
            found.append(status.getPath().toString())
    raw, ignored = [], []
    for name in sorted(found):
        base = name.rsplit("/", 1)[-1]
        if base.startswith(("_", ".")):
            continue  # _SUCCESS, .crc and other bookkeeping files
        fmt = format_of(base)
        if fmt is None:
            ignored.append(name)
            continue
        month = MONTH_IN_NAME.search(base)
        raw.append(RawFile(name, fmt, month.group(1) if month else None))
    if ignored:
        LOG.warning("ignoring %d files that are not CSV or Parquet: %s", len(ignored), ignored)
    if not raw:
        raise DataQualityError(f"no raw trip files (.csv, .csv.gz, .parquet) at {path}")
    return raw


def csv_header(spark: SparkSession, path: str) -> list[str]:
    first = spark.read.text(path).limit(1).collect()
    if not first:
        return []
    return next(csv.reader([first[0][0].lstrip("\ufeff")]))


def match_columns(raw: RawFile, names: Sequence[str]) -> dict[str, str]:
    """Raw column name -> the file's column for it (case-insensitive). Raises DataQualityError
    naming what differs when a required column is missing; logs what else differs."""
    by_lower: dict[str, str] = {}
    for name in names:
        if name.lower() in by_lower:
            raise DataQualityError(f"{raw.path}: the column {name!r} appears twice")
        by_lower[name.lower()] = name
    matched = {f.raw: by_lower[f.raw.lower()] for f in FIELDS if f.raw.lower() in by_lower}
    missing_required = [f.raw for f in FIELDS if f.required and f.raw not in matched]
    missing_optional = [f.raw for f in FIELDS if not f.required and f.raw not in matched]
    extra = [name for name in names if name.lower() not in {f.raw.lower() for f in FIELDS}]
    if missing_required:
        raise DataQualityError(
            f"{raw.path}: the {raw.format} file lacks the required columns "
            f"{', '.join(missing_required)}"
            + (f"; it has columns the job does not know: {', '.join(extra)}" if extra else "")
        )
    if missing_optional:
        LOG.warning("%s: columns missing, left empty: %s", raw.path, ", ".join(missing_optional))
    if extra:
        LOG.info("%s: ignoring columns staging does not keep: %s", raw.path, ", ".join(extra))
    return matched


def read_csv(spark: SparkSession, raw: RawFile) -> DataFrame:
    """Every column as text plus CORRUPT_RECORD, which the reader sets for a line whose field
    count differs from the header's."""
    header = csv_header(spark, raw.path)
    matched = match_columns(raw, header)
    schema = StructType(
        [StructField(name, StringType()) for name in header]
        + [StructField(CORRUPT_RECORD, StringType())]
    )
    frame = (
        spark.read.schema(schema)
        .option("header", True)
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT_RECORD)
        .csv(raw.path)
    )
    return frame.select(
        *(
            (
                F.col(f"`{matched[f.raw]}`") if f.raw in matched else F.lit(None).cast("string")
            ).alias(f.text)
            for f in FIELDS
        ),
        F.col(CORRUPT_RECORD),
    )


def read_parquet(spark: SparkSession, raw: RawFile) -> DataFrame:
    """Every column as its text (timestamps as yyyy-MM-dd HH:mm:ss), so the CSV rules apply."""
    frame = spark.read.parquet(raw.path)
    types = {f.name: f.dataType.simpleString() for f in frame.schema.fields}
    matched = match_columns(raw, list(types))
    columns = []
    for f in FIELDS:
        if f.raw not in matched:
            columns.append(F.lit(None).cast("string").alias(f.text))
            continue
        name, kind = matched[f.raw], types[matched[f.raw]]
        if kind in PARQUET_TIMESTAMP_TYPES:
            text = F.date_format(F.col(f"`{name}`"), "yyyy-MM-dd HH:mm:ss")
        elif kind in PARQUET_TEXT_TYPES or kind.startswith("decimal"):
            text = F.col(f"`{name}`").cast("string")
        else:
            raise DataQualityError(
                f"{raw.path}: column {name} is {kind} in the Parquet file; "
                f"the job reads it as {f.sql_type.lower()}"
            )
        columns.append(text.alias(f.text))
    return frame.select(*columns, F.lit(None).cast("string").alias(CORRUPT_RECORD))


def read_raw_trips(spark: SparkSession, path: str) -> DataFrame:
    """The raw rows of every file under `path`, as text, with SOURCE_FILE and FILE_MONTH."""
    frames = []
    for raw in list_raw_files(spark, path):
        frame = read_csv(spark, raw) if raw.format == "csv" else read_parquet(spark, raw)
        if raw.month is None:
            LOG.warning("%s: no YYYY-MM in the file name: pickup months not checked", raw.path)
        frames.append(
            frame.withColumn(SOURCE_FILE, F.lit(raw.path)).withColumn(
                FILE_MONTH, F.lit(raw.month).cast("string")
            )
        )
    return functools.reduce(DataFrame.unionByName, frames)


def parse_value(field: Field) -> Column:
    """The field's raw text typed as its SQL type; NULL when empty or when it does not parse."""
    text = f"nullif(trim(`{field.text}`), '')"
    if field.sql_type == "TIMESTAMP":
        # A cast alone accepts partial forms such as '2024-01-01': demand the file's format.
        return F.expr(
            f"CASE WHEN {text} RLIKE '{TIMESTAMP_PATTERN}' THEN try_cast({text} AS TIMESTAMP) END"
        )
    if field.sql_type == "INT":
        integral = f"regexp_extract({text}, '^([+-]?[0-9]+)', 1)"
        return F.expr(
            f"CASE WHEN {text} RLIKE '{INTEGER_PATTERN}' THEN try_cast({integral} AS INT) END"
        )
    if field.sql_type == "DOUBLE":
        return F.expr(
            f"CASE WHEN {text} RLIKE '{DECIMAL_PATTERN}' THEN try_cast({text} AS DOUBLE) END"
        )
    return F.expr(text)


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
    checks += [
        F.when(
            F.col("dropoff_datetime") < F.col("pickup_datetime"), F.lit("dropoff_before_pickup")
        ),
        F.when(F.col("trip_distance") < 0, F.lit("negative_trip_distance")),
        F.when((F.col("fare_amount") < 0) | (F.col("total_amount") < 0), F.lit("negative_amount")),
        F.when(
            F.col(FILE_MONTH).isNotNull()
            & (F.date_format("pickup_datetime", "yyyy-MM") != F.col(FILE_MONTH)),
            F.lit("pickup_outside_file_month"),
        ),
    ]
    return F.coalesce(*checks)


def type_trips(raw: DataFrame) -> DataFrame:
    """Raw rows with every staging column typed and REJECT_REASON set (NULL = valid)."""
    typed = raw.select(
        *(F.col(field.text) for field in FIELDS),
        F.col(CORRUPT_RECORD),
        F.col(SOURCE_FILE),
        F.col(FILE_MONTH),
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


def count_rows(typed: DataFrame) -> StagingResult:
    """Rows read per file, dropped per reason and kept notes, in one pass."""
    kept = F.col(REJECT_REASON).isNull()
    rows = (
        typed.groupBy(SOURCE_FILE, REJECT_REASON)
        .agg(
            F.count(F.lit(1)).alias("rows"),
            F.sum((kept & F.col("vendor_id").isNull()).cast("int")).alias("without_vendor"),
            F.sum((kept & (F.col("trip_distance") == 0)).cast("int")).alias("zero_distance"),
        )
        .collect()
    )
    per_file, rejected, notes = Counter(), Counter(), Counter()
    for row in rows:
        per_file[row[SOURCE_FILE]] += row["rows"]
        if row[REJECT_REASON] is not None:
            rejected[row[REJECT_REASON]] += row["rows"]
        for note in KEPT_NOTES:
            notes[note] += row[note] or 0
    read = sum(per_file.values())
    return StagingResult(
        rows_read=read,
        rows_written=read - sum(rejected.values()),
        rejected=dict(rejected),
        kept_notes={k: v for k, v in notes.items() if v},
        rows_per_file=dict(per_file),
    )


def describe_reason(reason: str) -> str:
    if reason.startswith("missing_"):
        return f"required {reason.removeprefix('missing_')} empty"
    if reason.startswith("invalid_"):
        return f"{reason.removeprefix('invalid_')} does not parse as its type"
    return DROP_REASONS.get(reason, reason)


def counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{key}={count}" for key, count in sorted(counts.items())) or "none"


def log_counts(result: StagingResult, input_path: str) -> None:
    for path, rows in sorted(result.rows_per_file.items()):
        LOG.info("read %d rows from %s", rows, path)
    LOG.info(
        "read %d rows from %s, kept %d, dropped %d (%.1f%%): %s",
        result.rows_read,
        input_path,
        result.rows_written,
        result.rows_rejected,
        100 * result.drop_share,
        counts_text(result.rejected),
    )
    for reason, count in sorted(result.rejected.items()):
        LOG.info("dropped %d rows: %s (%s)", count, reason, describe_reason(reason))
    for note, count in sorted(result.kept_notes.items()):
        LOG.info("kept %d rows: %s (%s)", count, note, KEPT_NOTES[note])


def check_counts(result: StagingResult, max_drop_share: float, output_path: str) -> None:
    """Raises DataQualityError when the job keeps no row or drops too large a share."""
    if result.rows_written == 0:
        raise DataQualityError(
            f"kept none of the {result.rows_read} rows read "
            f"(dropped: {counts_text(result.rejected)}); nothing was written to {output_path}"
        )
    if result.drop_share > max_drop_share:
        raise DataQualityError(
            f"dropped {result.rows_rejected} of {result.rows_read} rows "
            f"({100 * result.drop_share:.1f}%), more than the {100 * max_drop_share:g}% "
            f"--max_drop_share allows ({counts_text(result.rejected)}); "
            f"nothing was written to {output_path}"
        )


def write_staging(trips: DataFrame, path: str) -> None:
    """Parquet partitioned by pickup_date; a rerun replaces only the dates it contains."""
    (
        trips.repartition("pickup_date")
        .write.mode("overwrite")
        .option("partitionOverwriteMode", "dynamic")
        .partitionBy("pickup_date")
        .parquet(path)
    )


def process_to_staging(
    spark: SparkSession,
    input_path: str,
    output_path: str,
    max_drop_share: float = DEFAULT_MAX_DROP_SHARE,
) -> StagingResult:
    """Reads the raw files at input_path, logs the counts, checks them, writes staging."""
    typed = type_trips(read_raw_trips(spark, input_path)).cache()
    try:
        result = count_rows(typed)
        log_counts(result, input_path)
        check_counts(result, max_drop_share, output_path)
        write_staging(valid_trips(typed), output_path)
    finally:
        typed.unpersist()
    LOG.info("wrote %d trips to %s", result.rows_written, output_path)
    return result


def share(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"--max_drop_share must be between 0 and 1, got {text}")
    return value


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Glue's resolved options when awsglue is importable, plain argparse otherwise. Unknown
    arguments (Glue adds --job-bookmark-option, --TempDir, ...) are ignored."""
    try:
        from awsglue.utils import getResolvedOptions
    except ImportError:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--input", required=True, help="raw file, folder or glob")
        parser.add_argument("--output", required=True, help="staging Parquet path")
        parser.add_argument("--JOB_NAME", default="glue_process_to_staging")
        parser.add_argument(
            "--max_drop_share",
            type=share,
            default=DEFAULT_MAX_DROP_SHARE,
            help="fail when a larger share of the rows read is dropped (default 0.05)",
        )
        args, _unknown = parser.parse_known_args(argv)
        return args
    # getResolvedOptions reads a sys.argv-style list: program name first.
    full = [sys.argv[0], *argv]
    options = getResolvedOptions(full, ["JOB_NAME", "input", "output"])
    options["max_drop_share"] = (
        share(getResolvedOptions(full, ["max_drop_share"])["max_drop_share"])
        if "--max_drop_share" in argv
        else DEFAULT_MAX_DROP_SHARE
    )
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
    process_to_staging(spark, args.input, args.output, args.max_drop_share)
    if job is not None:
        job.commit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
