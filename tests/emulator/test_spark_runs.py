"""The platform's own Spark jobs run for real by the emulator (spark_runs.py, lake_mirror.py):
the Glue job and the EMR step on the committed sample, through the emulator's S3; and the parts
that decide what runs and what a failure says."""

from __future__ import annotations

import gzip
import io
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from polling import wait_for

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "sandbox"))
from platform_ext.lake_mirror import Prefix, s3_uris  # noqa: E402
from platform_ext.spark_runs import LaunchError, emr_launch, exception_text  # noqa: E402

LAKE = "lake"
SAMPLE = ROOT / "data" / "green_tripdata_2024-01.csv"


def test_s3_uris_are_found_in_every_argument_form():
    arguments = [
        "--output",
        "s3://lake/gold/daily_zone/month=2024-01/",
        "--extra-py-files=s3a://lib/a.zip,s3://lib/b.zip",
        "spark.yarn.dist.files=s3n://conf/x.conf",
        "--month",
        "2024-01",
    ]
    assert s3_uris(arguments) == [
        "s3://lake/gold/daily_zone/month=2024-01/",
        "s3a://lib/a.zip",
        "s3://lib/b.zip",
        "s3n://conf/x.conf",
    ]


def test_a_prefix_covers_its_keys_a_glob_its_literal_start():
    folder = Prefix.of("s3://lake/staging/trips/")
    assert folder.covers("staging/trips/pickup_date=2024-01-01/part-0.parquet")
    assert not folder.covers("staging/trips2/x")
    glob = Prefix.of("s3://lake/raw/green_tripdata/green_tripdata_2024-01.*")
    assert glob.covers("raw/green_tripdata/green_tripdata_2024-01.parquet")
    assert not glob.covers("raw/green_tripdata/green_tripdata_2024-02.parquet")
    assert Prefix.of("/local/path") is None


def test_emr_launch_keeps_spark_submit_options_and_drops_local_mode_ones():
    launch = emr_launch(
        "command-runner.jar",
        ["spark-submit", "--deploy-mode", "cluster", "--conf", "a=b", "s3://l/app.py", "--x", "1"],
    )
    assert (launch.script, launch.args, launch.options) == (
        "s3://l/app.py",
        ("--x", "1"),
        ("--conf", "a=b"),
    )
    assert launch.notes == ("local mode: ignored --deploy-mode cluster",)
    with pytest.raises(LaunchError, match="this step runs: s3://l/job.jar --class Main"):
        emr_launch("s3://l/job.jar", ["--class", "Main"])


def test_the_error_is_the_last_tracebacks_exception_without_its_module():
    lines = [
        "Traceback (most recent call last):",
        '  File "/tmp/a.py", line 1, in <module>',
        "ValueError: an earlier one",
        "26/12/05 21:44:17 INFO SparkContext: stopping",
        "Traceback (most recent call last):",
        '  File "/tmp/a.py", line 9, in main',
        "    spark.read.parquet(path)",
        "pyspark.errors.exceptions.captured.AnalysisException: [PATH_NOT_FOUND] Path does not "
        "exist: s3://lake/x. SQLSTATE: 42K03",
        "2026-12-05 21:44:17,351 py4j.clientserver INFO Closing down clientserver connection",
    ]
    assert exception_text(lines) == (
        "AnalysisException: [PATH_NOT_FOUND] Path does not exist: s3://lake/x. SQLSTATE: 42K03"
    )
    java = [
        "Traceback (most recent call last):",
        '  File "a"',
        "py4j.protocol.Py4JJavaError: x",
        ": java.io.IOException: y",
        "\tat org.A(A.java:1)",
    ]
    assert exception_text(java) == "Py4JJavaError: x\n: java.io.IOException: y"
    assert exception_text(["no traceback here"]) is None


@pytest.fixture
def platform(sandbox):
    """The lake with the platform's scripts and the sample, the Glue job, an EMR cluster."""
    s3 = sandbox.client("s3")
    for bucket in (LAKE, "emr-logs"):
        s3.create_bucket(Bucket=bucket)
    for script in ("glue_process_to_staging.py", "emr_aggregate_gold.py"):
        s3.put_object(
            Bucket=LAKE, Key=f"scripts/{script}", Body=(ROOT / "scripts" / script).read_bytes()
        )
    s3.put_object(Bucket=LAKE, Key=f"raw/green_tripdata/{SAMPLE.name}", Body=SAMPLE.read_bytes())
    # Already under the output: an object the run does not write, which must stay.
    s3.put_object(Bucket=LAKE, Key="staging/trips/_README.txt", Body=b"staging, by pickup_date")
    sandbox.client("glue").create_job(
        Name="staging",
        Role="arn:aws:iam::123456789012:role/glue",
        Command={
            "Name": "glueetl",
            "ScriptLocation": f"s3://{LAKE}/scripts/glue_process_to_staging.py",
        },
    )
    sandbox.timing("glue-job", startup=0.05)
    sandbox.timing("emr-step", startup=0.05)
    return sandbox


def glue_run(sandbox, arguments: dict[str, str]) -> tuple[dict, list[str]]:
    glue = sandbox.client("glue")
    run_id = glue.start_job_run(JobName="staging", Arguments=arguments)["JobRunId"]
    run = wait_for(
        lambda: (
            (r := glue.get_job_run(JobName="staging", RunId=run_id)["JobRun"])["JobRunState"]
            in ("SUCCEEDED", "FAILED")
            and r
        ),
        timeout=240,
        every=1,
    )
    events = sandbox.client("logs").get_log_events(
        logGroupName="/aws-glue/jobs/error", logStreamName=run_id
    )["events"]
    return run, [e["message"] for e in events]


def keys(sandbox, prefix: str) -> list[str]:
    listed = sandbox.client("s3").list_objects_v2(Bucket=LAKE, Prefix=prefix)
    return sorted(o["Key"] for o in listed.get("Contents", []))


def test_the_platforms_jobs_run_on_the_lake_and_a_job_exception_is_the_runs_error(platform):
    month = f"s3://{LAKE}/raw/green_tripdata/green_tripdata_2024-01.*"
    run, log = glue_run(platform, {"--input": month, "--output": f"s3://{LAKE}/staging/trips/"})

    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    text = "\n".join(log)
    assert "INFO SparkContext: Running Spark version" in text  # Spark's own lines
    assert f"read 1219 rows from {month}, kept 1200, dropped 19 (1.6%)" in text
    assert "dropped 6 rows: negative_amount" in text
    staged = keys(platform, "staging/trips/")
    assert [k.split("/")[2] for k in staged if k.endswith(".parquet")] == [
        f"pickup_date=2024-01-0{day}" for day in range(1, 6)
    ]
    assert "staging/trips/_README.txt" in staged
    assert not any(k.endswith(".crc") or "_temporary" in k for k in staged)

    emr = platform.client("emr")
    cluster = emr.run_job_flow(
        Name="aggregate",
        LogUri="s3://emr-logs/logs/",
        ReleaseLabel="emr-7.5.0",
        Instances={
            "MasterInstanceType": "m5.xlarge",
            "InstanceCount": 1,
            "KeepJobFlowAliveWhenNoSteps": True,
        },
        JobFlowRole="EMR_EC2_DefaultRole",
        ServiceRole="EMR_DefaultRole",
    )["JobFlowId"]
    gold = f"s3://{LAKE}/gold/daily_zone/month=2024-01/"
    args = [
        "spark-submit",
        f"s3://{LAKE}/scripts/emr_aggregate_gold.py",
        "--input",
        f"s3://{LAKE}/staging/trips/",
        "--output",
        gold,
        "--month",
        "2024-01",
    ]
    (step,) = emr.add_job_flow_steps(
        JobFlowId=cluster,
        Steps=[
            {
                "Name": "gold",
                "ActionOnFailure": "CONTINUE",
                "HadoopJarStep": {"Jar": "command-runner.jar", "Args": args},
            }
        ],
    )["StepIds"]
    state = wait_for(
        lambda: (
            (s := emr.describe_step(ClusterId=cluster, StepId=step)["Step"]["Status"])["State"]
            in ("COMPLETED", "FAILED")
            and s
        ),
        timeout=240,
        every=1,
    )
    assert state["State"] == "COMPLETED", state
    (written,) = keys(platform, "gold/daily_zone/month=2024-01/")
    table = pq.read_table(
        io.BytesIO(platform.client("s3").get_object(Bucket=LAKE, Key=written)["Body"].read())
    )
    assert table.num_rows == 55 and sum(table.column("trip_count").to_pylist()) == 1200
    stdout = platform.client("s3").get_object(
        Bucket="emr-logs", Key=f"logs/{cluster}/steps/{step}/stdout.gz"
    )
    assert "aggregated 1200 trips of 2024-01" in gzip.decompress(stdout["Body"].read()).decode()

    # A bad input path: the job's own exception is the run's error, and it is in the run's log.
    bad = f"s3://{LAKE}/raw/green_tripdata/green_tripdata_2031-02.*"
    run, log = glue_run(platform, {"--input": bad, "--output": f"s3://{LAKE}/staging/trips/"})
    message = f"DataQualityError: no raw trip files (.csv, .csv.gz, .parquet) at {bad}"
    assert (run["JobRunState"], run["ErrorMessage"]) == ("FAILED", message)
    assert "Traceback (most recent call last):" in log
    assert f"__main__.{message}" in log or message in log
