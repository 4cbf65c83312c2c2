"""What the Glue staging job and the EMR gold step write when their simulated runs succeed
(sandbox/platform_ext/job_outputs.py), so prepare_data_nyc's next stage finds its input."""

from __future__ import annotations

import io

import pyarrow.parquet as pq
import pytest
from polling import wait_for

LAKE = "lake"
JOB = "process-to-staging"
HEADER = (
    "VendorID,lpep_pickup_datetime,lpep_dropoff_datetime,PULocationID,DOLocationID,"
    "trip_distance,fare_amount,tip_amount,total_amount"
)
ROWS = [
    "1,2024-01-01 00:00:00,2024-01-01 00:10:00,41,138,2.5,10.00,2.00,13.00",
    "2,2024-01-01 01:00:00,2024-01-01 01:20:00,41,74,1.25,20.00,,21.00",
    "2,2024-01-02 09:00:00,2024-01-02 09:05:00,74,41,0.5,0.00,0.00,1.00",
    "1,2024-01-02 10:00:00,2024-01-02 09:00:00,74,41,1.0,5.00,1.00,6.00",  # dropoff before pickup
    "1,not a time,2024-01-02 09:00:00,74,41,1.0,5.00,1.00,6.00",  # invalid pickup
    "1,2024-01-03 10:00:00,2024-01-03 10:30:00,74,41,-3.0,5.00,1.00,6.00",  # negative distance
]
STAGING = f"s3://{LAKE}/staging/trips/"
GOLD = f"s3://{LAKE}/gold/daily_zone/"


@pytest.fixture
def lake(sandbox):
    s3 = sandbox.client("s3")
    s3.create_bucket(Bucket=LAKE)
    s3.put_object(
        Bucket=LAKE, Key="raw/green_tripdata/trips.csv", Body="\n".join([HEADER, *ROWS]) + "\n"
    )
    sandbox.timing("glue-job", seconds=0.3, startup=0.05)
    sandbox.timing("emr-step", seconds=0.3, startup=0.05)
    glue = sandbox.client("glue")
    glue.create_job(
        Name=JOB,
        Role="arn:aws:iam::123456789012:role/glue",
        Command={
            "Name": "glueetl",
            "ScriptLocation": f"s3://{LAKE}/scripts/glue_process_to_staging.py",
        },
        DefaultArguments={"--input": f"s3://{LAKE}/raw/green_tripdata/", "--output": STAGING},
    )
    return sandbox


def parquet_rows(sandbox, uri: str) -> list[dict]:
    bucket, prefix = uri.removeprefix("s3://").split("/", 1)
    s3 = sandbox.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])]
    assert len(keys) == 1 and keys[0].endswith(".parquet"), keys
    body = s3.get_object(Bucket=bucket, Key=keys[0])["Body"].read()
    return pq.read_table(io.BytesIO(body)).to_pylist()


def finished_glue_run(sandbox, run_id: str) -> dict:
    glue = sandbox.client("glue")

    def done():
        run = glue.get_job_run(JobName=JOB, RunId=run_id)["JobRun"]
        return run if run["JobRunState"] in ("SUCCEEDED", "FAILED") else None

    return wait_for(done, timeout=15)


def run_gold_step(sandbox, input_uri: str) -> dict:
    emr = sandbox.client("emr")
    cluster = emr.run_job_flow(
        Name="aggregation",
        ReleaseLabel="emr-7.5.0",
        Instances={
            "MasterInstanceType": "m5.xlarge",
            "InstanceCount": 1,
            "KeepJobFlowAliveWhenNoSteps": True,
        },  # fmt: skip
        JobFlowRole="instance-profile",
        ServiceRole="service-role",
    )["JobFlowId"]
    args = ["spark-submit", f"s3://{LAKE}/scripts/emr_aggregate_gold.py"]
    args += ["--input", input_uri, "--output", GOLD]
    step_id = emr.add_job_flow_steps(
        JobFlowId=cluster,
        Steps=[
            {
                "Name": "gold",
                "ActionOnFailure": "CONTINUE",
                "HadoopJarStep": {"Jar": "command-runner.jar", "Args": args},
            }
        ],  # fmt: skip
    )["StepIds"][0]

    def done():
        step = emr.describe_step(ClusterId=cluster, StepId=step_id)["Step"]
        return step if step["Status"]["State"] in ("COMPLETED", "FAILED") else None

    return wait_for(done, timeout=15)


def test_the_staging_job_writes_valid_trips_and_the_gold_step_aggregates_them(lake):
    run_id = lake.client("glue").start_job_run(JobName=JOB)["JobRunId"]
    assert finished_glue_run(lake, run_id)["JobRunState"] == "SUCCEEDED"
    staging = parquet_rows(lake, STAGING)
    assert len(staging) == 3, staging
    assert {row["pu_location_id"] for row in staging} == {41, 74}

    step = run_gold_step(lake, STAGING)
    assert step["Status"]["State"] == "COMPLETED", step
    gold = parquet_rows(lake, GOLD)
    assert [(str(r["pickup_date"]), r["pu_location_id"], r["trip_count"]) for r in gold] == [
        ("2024-01-01", 41, 2),
        ("2024-01-02", 74, 1),
    ]
    first = gold[0]
    assert (str(first["total_distance"]), str(first["total_fare"])) == ("3.75", "30.00")
    assert first["avg_tip_rate"] == pytest.approx(0.2), "the trip without a tip is left out"
    assert gold[1]["avg_tip_rate"] is None, "no trip of the group had a fare"


def test_a_run_without_input_fails_with_sparks_message(lake):
    lake.client("s3").delete_object(Bucket=LAKE, Key="raw/green_tripdata/trips.csv")
    run_id = lake.client("glue").start_job_run(JobName=JOB)["JobRunId"]
    run = finished_glue_run(lake, run_id)
    assert run["JobRunState"] == "FAILED"
    assert run["ErrorMessage"].startswith("pyspark.errors.exceptions.captured.AnalysisException")
    assert "PATH_NOT_FOUND" in run["ErrorMessage"]

    step = run_gold_step(lake, f"s3://{LAKE}/staging/none/")
    assert step["Status"]["State"] == "FAILED"
    assert "PATH_NOT_FOUND" in step["Status"]["FailureDetails"]["Message"]
