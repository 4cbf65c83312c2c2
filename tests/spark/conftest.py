"""Shared fixtures for the Spark job tests: one local SparkSession and one run of each job on the
committed sample, reused by every test of the session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pyspark.sql import DataFrame, SparkSession

REPO = Path(__file__).resolve().parents[2]
# The jobs and the generator are single-file scripts, deployed as they are: import them from
# their folders (pytest loads this file before it imports the test modules).
for folder in ("scripts", "data"):
    sys.path.insert(0, str(REPO / folder))

SAMPLE_CSV = REPO / "data" / "green_tripdata_2024-01.csv"


@pytest.fixture(scope="session")
def spark() -> SparkSession:
    session = (
        SparkSession.builder.master("local[2]")
        .appName("platform-tui-spark-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def sample_csv() -> Path:
    return SAMPLE_CSV


@pytest.fixture(scope="session")
def sample():
    """The generator's output for the committed file's parameters (the defaults)."""
    import generate_green_tripdata

    return generate_green_tripdata.generate()


def write_tlc_parquet(spark: SparkSession, sample, path: Path) -> str:
    """The sample as TLC's Parquet files hold it (generate_green_tripdata.PARQUET_COLUMNS), one
    file at `path`; returns its path."""
    import generate_green_tripdata as gen

    spark_type = {"int32": "int", "timestamp": "timestamp", "double": "double", "string": "string"}
    schema = ", ".join(f"`{name}` {spark_type[kind]}" for name, kind in gen.PARQUET_COLUMNS)
    rows = spark.createDataFrame(gen.tlc_parquet_rows(sample), schema)
    folder = path.with_suffix(".parts")
    rows.coalesce(1).write.parquet(str(folder))
    next(folder.glob("part-*.parquet")).rename(path)
    return str(path)


@pytest.fixture(scope="session")
def staging_run(spark, tmp_path_factory):
    """(StagingResult, output folder) of the Glue job on the committed sample."""
    import glue_process_to_staging

    output = tmp_path_factory.mktemp("staging") / "green_trips"
    result = glue_process_to_staging.process_to_staging(spark, str(SAMPLE_CSV), str(output))
    return result, output


@pytest.fixture(scope="session")
def staging(spark, staging_run) -> DataFrame:
    return spark.read.parquet(str(staging_run[1]))


@pytest.fixture(scope="session")
def gold_run(spark, staging_run, tmp_path_factory):
    """(gold row count, output folder) of the EMR job on the staging output."""
    import emr_aggregate_gold

    output = tmp_path_factory.mktemp("gold") / "green_trips_daily_zone"
    rows = emr_aggregate_gold.aggregate_to_gold(spark, str(staging_run[1]), str(output))
    return rows, output


@pytest.fixture(scope="session")
def gold(spark, gold_run) -> DataFrame:
    return spark.read.parquet(str(gold_run[1]))
