"""platform_ext.seed_platform: the Glue and Redshift resources infra/ would create, usable."""

from __future__ import annotations

import sys
from pathlib import Path

from polling import wait_for

SANDBOX = Path(__file__).resolve().parents[2] / "sandbox"
sys.path.insert(0, str(SANDBOX))
from platform_ext import seeding  # noqa: E402  (sandbox/ is not an installed package)

LAKE = "nyctaxi-sandbox-datalake"


def test_seeded_glue_and_redshift_match_infra_names_and_work(sandbox):
    sandbox.client("s3").create_bucket(Bucket=LAKE)  # sandbox/seed.py creates it first

    names = seeding.seed_platform(sandbox.endpoint)

    glue = sandbox.client("glue")
    assert glue.get_database(Name="nyctaxi_sandbox")["Database"]["Name"] == names.glue_database
    crawler = glue.get_crawler(Name="nyctaxi-sandbox-raw-crawler")["Crawler"]
    assert crawler["Targets"]["S3Targets"] == [{"Path": f"s3://{LAKE}/raw/"}]
    assert crawler["TablePrefix"] == "raw_"
    job = glue.get_job(JobName="nyctaxi-sandbox-process-to-staging")["Job"]
    script = f"s3://{LAKE}/scripts/glue_process_to_staging.py"
    assert job["Command"]["ScriptLocation"] == script
    assert (job["GlueVersion"], job["WorkerType"], job["NumberOfWorkers"]) == ("5.0", "G.1X", 2)
    body = sandbox.client("s3").get_object(Bucket=LAKE, Key="scripts/glue_process_to_staging.py")
    assert (
        body["Body"].read() == (SANDBOX.parent / "scripts/glue_process_to_staging.py").read_bytes()
    )

    cluster = sandbox.client("redshift").describe_clusters(
        ClusterIdentifier="nyctaxi-sandbox-warehouse"
    )["Clusters"][0]
    assert (cluster["DBName"], cluster["MasterUsername"]) == ("analytics", "platform_admin")

    sandbox.timing("redshift-sql", seconds=0.05, startup=0.02)
    data = sandbox.client("redshift-data")
    statement_id = data.execute_statement(
        ClusterIdentifier=names.redshift_cluster,
        Database=names.redshift_database,
        Sql=(SANDBOX.parent / "sql/001_schema.sql").read_text(),
    )["Id"]
    wait_for(lambda: data.describe_statement(Id=statement_id)["Status"] == "FINISHED")


def test_seeded_emr_cluster_waits_for_steps_with_its_logs_in_the_log_bucket(sandbox):
    sandbox.client("s3").create_bucket(Bucket=LAKE)

    names = seeding.seed_platform(sandbox.endpoint)

    emr = sandbox.client("emr")
    clusters = emr.list_clusters(ClusterStates=["WAITING", "RUNNING", "STARTING"])["Clusters"]
    assert [c["Name"] for c in clusters] == [names.emr_cluster] == ["nyctaxi-sandbox-aggregation"]
    cluster = emr.describe_cluster(ClusterId=clusters[0]["Id"])["Cluster"]
    assert cluster["LogUri"] == "s3://nyctaxi-sandbox-emr-logs/"
    assert cluster["AutoTerminate"] is False


def test_last_months_trips_are_the_samples_moved_in_tlcs_parquet_layout(sandbox):
    import io
    from datetime import date, datetime

    import pyarrow.parquet as pq
    import seed  # sandbox/seed.py

    s3 = sandbox.client("s3")
    s3.create_bucket(Bucket=LAKE)
    data = SANDBOX.parent / "data"
    report = seed.SeedReport()

    key = seed.seed_last_month_trips(s3, data, report, today=date(2026, 12, 5))

    assert key == "raw/green_tripdata/green_tripdata_2026-11.parquet"
    body = s3.get_object(Bucket=LAKE, Key=key)["Body"].read()
    table = pq.read_table(io.BytesIO(body))
    types = {field.name: str(field.type) for field in table.schema}
    assert types["VendorID"] == "int32" and types["RatecodeID"] == "double"
    assert types["lpep_pickup_datetime"] == "timestamp[us]"
    assert "cbd_congestion_fee" in types
    generator = seed.load_generator(data)
    malformed = len(generator.MALFORMED_KINDS)
    assert table.num_rows == 1200 + len(generator.DROPPED_KINDS) - malformed
    pickups = table.column("lpep_pickup_datetime").to_pylist()
    in_month = [p for p in pickups if datetime(2026, 11, 1) <= p < datetime(2026, 12, 1)]
    assert len(in_month) == table.num_rows - 3  # the three pickups outside the file's month
    # The committed sample already holds January 2024: no second file for that month.
    assert seed.seed_last_month_trips(s3, data, report, today=date(2024, 2, 10)) is None
