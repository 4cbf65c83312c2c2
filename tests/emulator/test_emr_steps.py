"""EMR steps: one at a time in order, each a real spark-submit of its script, failure details,
cancel, S3 logs, termination."""

from __future__ import annotations

import gzip
import time

import pytest
from conftest import TEST_JOB, process_exists
from polling import wait_for

LOG_BUCKET = "emr-logs"


def step(name: str, action: str = "CONTINUE", *args: str) -> dict:
    """A spark-submit step of the test job (no Spark session: only spark-submit's start-up)."""
    return {
        "Name": name,
        "ActionOnFailure": action,
        "HadoopJarStep": {
            "Jar": "command-runner.jar",
            "Args": ["spark-submit", "--deploy-mode", "cluster", TEST_JOB, *args],
        },
    }


@pytest.fixture
def emr(lake):
    lake.client("s3").create_bucket(Bucket=LOG_BUCKET)
    return lake.client("emr")


def start_cluster(emr, steps=(), keep_alive=True) -> str:
    return emr.run_job_flow(
        Name="nyc-aggregate",
        LogUri=f"s3://{LOG_BUCKET}/logs/",
        ReleaseLabel="emr-7.1.0",
        Instances={
            "MasterInstanceType": "m5.xlarge",
            "SlaveInstanceType": "m5.xlarge",
            "InstanceCount": 3,
            "KeepJobFlowAliveWhenNoSteps": keep_alive,
        },
        Steps=list(steps),
        JobFlowRole="EMR_EC2_DefaultRole",
        ServiceRole="EMR_DefaultRole",
    )["JobFlowId"]


def states(emr, cluster_id: str) -> dict[str, str]:
    steps = emr.list_steps(ClusterId=cluster_id)["Steps"]
    return {s["Name"]: s["Status"]["State"] for s in reversed(steps)}


def described(emr, cluster_id: str, name: str) -> dict:
    steps = emr.list_steps(ClusterId=cluster_id)["Steps"]
    step_id = next(s["Id"] for s in steps if s["Name"] == name)
    return emr.describe_step(ClusterId=cluster_id, StepId=step_id)["Step"]


def log_text(sandbox, key: str) -> str:
    body = sandbox.client("s3").get_object(Bucket=LOG_BUCKET, Key=key)["Body"].read()
    return gzip.decompress(body).decode()


def test_steps_run_one_at_a_time_in_order(lake, emr):
    lake.timing("emr-step", startup=0.2)
    cluster_id = start_cluster(emr, [step("first"), step("second")])
    emr.add_job_flow_steps(JobFlowId=cluster_id, Steps=[step("third")])

    seen = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        snapshot = tuple(states(emr, cluster_id).values())
        if not seen or seen[-1] != snapshot:
            seen.append(snapshot)
        if snapshot == ("COMPLETED",) * 3:
            break
        time.sleep(0.03)

    assert seen[-1] == ("COMPLETED",) * 3
    for snapshot in seen:
        assert snapshot.count("RUNNING") <= 1
        # everything before a running or pending step is finished; nothing after it started
        order = ["COMPLETED", "RUNNING", "PENDING"]
        assert [order.index(s) for s in snapshot] == sorted(order.index(s) for s in snapshot)
    assert ("RUNNING", "PENDING", "PENDING") in seen
    assert ("COMPLETED", "RUNNING", "PENDING") in seen
    assert ("COMPLETED", "COMPLETED", "RUNNING") in seen
    first = described(emr, cluster_id, "first")["Status"]["Timeline"]
    second = described(emr, cluster_id, "second")["Status"]["Timeline"]
    assert first["EndDateTime"] <= second["StartDateTime"]
    cluster = emr.describe_cluster(ClusterId=cluster_id)["Cluster"]
    assert cluster["Status"]["State"] == "WAITING"


def test_a_failing_script_fails_the_step_with_its_exception_and_continue_runs_the_next(lake, emr):
    lake.timing("emr-step", startup=0.05)
    failing = step("aggregate", "CONTINUE", "--raise", "staging has no trips for 2024-13")
    cluster_id = start_cluster(emr, [failing, step("after")])

    wait_for(
        lambda: states(emr, cluster_id) == {"aggregate": "FAILED", "after": "COMPLETED"},
        timeout=90,
    )

    failed = described(emr, cluster_id, "aggregate")
    prefix = f"logs/{cluster_id}/steps/{failed['Id']}/"
    assert failed["Status"]["FailureDetails"] == {
        "Reason": "Unknown Error.",
        "Message": "ValueError: staging has no trips for 2024-13",
        "LogFile": f"s3://{LOG_BUCKET}/{prefix}stderr.gz",
    }
    # spark-submit's Python writes to stdout (tracebacks too); Spark's own lines to stderr
    assert "ValueError: staging has no trips for 2024-13" in log_text(lake, prefix + "stdout.gz")
    controller = log_text(lake, prefix + "controller.gz")
    assert "Step failed with exitCode 1" in controller
    assert "sandbox: local mode: ignored --deploy-mode cluster" in controller
    assert "FailureDetails" not in described(emr, cluster_id, "after")["Status"]


def test_injected_failure_fails_the_step_without_running_it(lake, emr):
    lake.timing("emr-step", startup=0.05)
    message = "Exception in thread main: org.apache.spark.sql.AnalysisException: gold/ missing"
    lake.inject("emr-step", message, name="aggregate")
    cluster_id = start_cluster(emr, [step("aggregate", "TERMINATE_CLUSTER"), step("after")])

    wait_for(lambda: states(emr, cluster_id) == {"aggregate": "FAILED", "after": "CANCELLED"})

    failed = described(emr, cluster_id, "aggregate")
    details = failed["Status"]["FailureDetails"]
    log_key = f"logs/{cluster_id}/steps/{failed['Id']}/stderr.gz"
    assert details == {
        "Reason": "Unknown Error.",
        "Message": message,
        "LogFile": f"s3://{LOG_BUCKET}/{log_key}",
    }
    assert log_text(lake, log_key).rstrip("\n").endswith(message)
    cluster = emr.describe_cluster(ClusterId=cluster_id)["Cluster"]
    assert cluster["Status"]["State"] == "TERMINATED_WITH_ERRORS"


def test_a_step_the_sandbox_cannot_run_fails_and_says_why(lake, emr):
    lake.timing("emr-step", startup=0.05)
    hive = {
        "Name": "hive",
        "ActionOnFailure": "CONTINUE",
        "HadoopJarStep": {"Jar": "command-runner.jar", "Args": ["hive-script", "--run-hive"]},
    }
    cluster_id = start_cluster(emr, [hive])
    wait_for(lambda: states(emr, cluster_id) == {"hive": "FAILED"})
    message = described(emr, cluster_id, "hive")["Status"]["FailureDetails"]["Message"]
    assert "the sandbox runs spark-submit steps of Python scripts" in message
    assert "hive-script --run-hive" in message


def running_pid(lake, cluster_id: str, name: str) -> int:
    """The pid the step's script printed to stdout (its log is written while it runs)."""
    prefix = f"logs/{cluster_id}/steps/{described(lake.client('emr'), cluster_id, name)['Id']}/"

    def printed() -> int | None:
        try:
            first = log_text(lake, prefix + "stdout.gz").splitlines()[0]
        except lake.client("s3").exceptions.NoSuchKey:
            return None
        return int(first.split()[1])

    return wait_for(printed, timeout=60)


def test_cancel_pending_and_running_steps(lake, emr):
    lake.timing("emr-step", startup=0.05)
    steps = [step("running", "CONTINUE", "--sleep", "120"), step("pending"), step("untouched")]
    cluster_id = start_cluster(emr, steps)
    pid = running_pid(lake, cluster_id, "running")
    ids = {s["Name"]: s["Id"] for s in emr.list_steps(ClusterId=cluster_id)["Steps"]}

    answer = emr.cancel_steps(ClusterId=cluster_id, StepIds=[ids["pending"], ids["running"]])

    assert [i["Status"] for i in answer["CancelStepsInfoList"]] == ["SUBMITTED", "SUBMITTED"]
    assert states(emr, cluster_id)["pending"] == "CANCELLED"
    assert states(emr, cluster_id)["running"] in ("CANCEL_PENDING", "CANCELLED")
    wait_for(lambda: states(emr, cluster_id)["running"] == "CANCELLED", timeout=10)
    assert not process_exists(pid), "cancelling the step kills its script"
    # the next step in line starts once the cancelled one is gone
    wait_for(lambda: states(emr, cluster_id)["untouched"] != "PENDING", timeout=10)
    again = emr.cancel_steps(ClusterId=cluster_id, StepIds=[ids["pending"]])
    assert again["CancelStepsInfoList"][0]["Status"] == "FAILED"


def test_step_writes_gzip_logs_to_the_log_uri_while_it_runs(lake, emr):
    lake.timing("emr-step", startup=0.05)
    cluster_id = start_cluster(emr, [step("aggregate", "CONTINUE", "--sleep", "3")])
    step_id = emr.list_steps(ClusterId=cluster_id)["Steps"][0]["Id"]
    prefix = f"logs/{cluster_id}/steps/{step_id}/"

    running_pid(lake, cluster_id, "aggregate")
    assert states(emr, cluster_id)["aggregate"] == "RUNNING"
    wait_for(lambda: states(emr, cluster_id)["aggregate"] == "COMPLETED", timeout=60)

    listed = lake.client("s3").list_objects_v2(Bucket=LOG_BUCKET, Prefix=prefix)["Contents"]
    assert sorted(o["Key"][len(prefix) :] for o in listed) == [
        "controller.gz",
        "stderr.gz",
        "stdout.gz",
    ]
    assert TEST_JOB in log_text(lake, prefix + "controller.gz")
    assert "exitCode 0" in log_text(lake, prefix + "controller.gz")
    assert "--sleep 3" in log_text(lake, prefix + "stdout.gz")
    stdout = log_text(lake, prefix + "stdout.gz")
    assert stdout.index("INFO test_job: first") < stdout.index("INFO test_job: second")


def test_terminate_kills_the_running_step_cancels_the_rest_and_ends_terminated(lake, emr):
    lake.timing("emr-step", startup=0.05)
    cluster_id = start_cluster(
        emr, [step("running", "CONTINUE", "--sleep", "120"), step("pending")]
    )
    pid = running_pid(lake, cluster_id, "running")

    emr.terminate_job_flows(JobFlowIds=[cluster_id])

    status = emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["Status"]
    assert status["State"] == "TERMINATED"
    assert status["StateChangeReason"]["Message"] == "Terminated by user request"
    assert states(emr, cluster_id) == {"running": "CANCELLED", "pending": "CANCELLED"}
    assert not process_exists(pid)


def test_cluster_without_keep_alive_terminates_after_its_steps(lake, emr):
    lake.timing("emr-step", startup=0.05)
    cluster_id = start_cluster(emr, [step("only")], keep_alive=False)
    wait_for(
        lambda: (
            emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["Status"]["State"] == "TERMINATED"
        ),
        timeout=60,
    )
    assert states(emr, cluster_id) == {"only": "COMPLETED"}


def test_steps_cannot_be_added_to_a_terminated_cluster(lake, emr):
    cluster_id = start_cluster(emr)
    emr.terminate_job_flows(JobFlowIds=[cluster_id])
    with pytest.raises(emr.exceptions.ClientError, match="may not be modified"):
        emr.add_job_flow_steps(JobFlowId=cluster_id, Steps=[step("late")])
