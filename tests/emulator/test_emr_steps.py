"""EMR steps: one at a time in order, failure details, cancel, S3 logs, termination."""

from __future__ import annotations

import gzip
import time

import pytest
from polling import wait_for

LOG_BUCKET = "emr-logs"
SCRIPT = "s3://lake/scripts/emr_aggregate_gold.py"


def step(name: str, action: str = "CONTINUE") -> dict:
    return {
        "Name": name,
        "ActionOnFailure": action,
        "HadoopJarStep": {"Jar": "command-runner.jar", "Args": ["spark-submit", SCRIPT]},
    }


@pytest.fixture
def emr(sandbox):
    sandbox.client("s3").create_bucket(Bucket=LOG_BUCKET)
    return sandbox.client("emr")


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


def test_steps_run_one_at_a_time_in_order(sandbox, emr):
    sandbox.timing("emr-step", seconds=0.4, startup=0.2)
    cluster_id = start_cluster(emr, [step("first"), step("second")])
    emr.add_job_flow_steps(JobFlowId=cluster_id, Steps=[step("third")])

    seen = []
    deadline = time.monotonic() + 15
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


def test_injected_failure_gives_failure_details_and_continue_runs_the_next(sandbox, emr):
    sandbox.timing("emr-step", seconds=0.2, startup=0.05)
    message = "Exception in thread main: org.apache.spark.sql.AnalysisException: gold/ missing"
    sandbox.inject("emr-step", message, name="aggregate")
    cluster_id = start_cluster(emr, [step("aggregate"), step("after")])

    wait_for(lambda: states(emr, cluster_id) == {"aggregate": "FAILED", "after": "COMPLETED"})

    failed = described(emr, cluster_id, "aggregate")
    details = failed["Status"]["FailureDetails"]
    log_key = f"logs/{cluster_id}/steps/{failed['Id']}/stderr.gz"
    assert details == {
        "Reason": "Unknown Error.",
        "Message": message,
        "LogFile": f"s3://{LOG_BUCKET}/{log_key}",
    }
    assert log_text(sandbox, log_key).rstrip("\n").endswith(message)
    assert "FailureDetails" not in described(emr, cluster_id, "after")["Status"]


def test_failure_with_terminate_cluster_cancels_the_rest(sandbox, emr):
    sandbox.timing("emr-step", seconds=0.2, startup=0.05)
    sandbox.inject("emr-step", "boom")
    cluster_id = start_cluster(emr, [step("aggregate", "TERMINATE_CLUSTER"), step("after")])

    wait_for(lambda: states(emr, cluster_id) == {"aggregate": "FAILED", "after": "CANCELLED"})
    cluster = emr.describe_cluster(ClusterId=cluster_id)["Cluster"]
    assert cluster["Status"]["State"] == "TERMINATED_WITH_ERRORS"


def test_cancel_pending_and_running_steps(sandbox, emr):
    sandbox.timing("emr-step", seconds=30, startup=0.05)
    cluster_id = start_cluster(emr, [step("running"), step("pending"), step("untouched")])
    wait_for(lambda: states(emr, cluster_id)["running"] == "RUNNING")
    ids = {s["Name"]: s["Id"] for s in emr.list_steps(ClusterId=cluster_id)["Steps"]}

    answer = emr.cancel_steps(ClusterId=cluster_id, StepIds=[ids["pending"], ids["running"]])

    assert [i["Status"] for i in answer["CancelStepsInfoList"]] == ["SUBMITTED", "SUBMITTED"]
    assert states(emr, cluster_id)["pending"] == "CANCELLED"
    assert states(emr, cluster_id)["running"] in ("CANCEL_PENDING", "CANCELLED")
    wait_for(lambda: states(emr, cluster_id)["running"] == "CANCELLED", timeout=3)
    # the next step in line starts once the cancelled one is gone
    wait_for(lambda: states(emr, cluster_id)["untouched"] == "RUNNING", timeout=3)
    again = emr.cancel_steps(ClusterId=cluster_id, StepIds=[ids["pending"]])
    assert again["CancelStepsInfoList"][0]["Status"] == "FAILED"


def test_step_writes_gzip_logs_to_the_log_uri_and_stderr_grows(sandbox, emr):
    sandbox.timing("emr-step", seconds=1.5, startup=0.05)
    cluster_id = start_cluster(emr, [step("aggregate")])
    step_id = emr.list_steps(ClusterId=cluster_id)["Steps"][0]["Id"]
    prefix = f"logs/{cluster_id}/steps/{step_id}/"

    def stderr_lines() -> int:
        try:
            return len(log_text(sandbox, prefix + "stderr.gz").splitlines())
        except sandbox.client("s3").exceptions.NoSuchKey:
            return 0

    early = wait_for(stderr_lines, timeout=3)
    assert states(emr, cluster_id)["aggregate"] == "RUNNING"
    wait_for(lambda: states(emr, cluster_id)["aggregate"] == "COMPLETED", timeout=5)
    assert stderr_lines() > early

    listed = sandbox.client("s3").list_objects_v2(Bucket=LOG_BUCKET, Prefix=prefix)["Contents"]
    assert sorted(o["Key"][len(prefix) :] for o in listed) == [
        "controller.gz",
        "stderr.gz",
        "stdout.gz",
    ]
    assert SCRIPT in log_text(sandbox, prefix + "controller.gz")
    assert "exitCode 0" in log_text(sandbox, prefix + "controller.gz")
    assert "aggregate: finished" in log_text(sandbox, prefix + "stdout.gz")


def test_terminate_cancels_steps_left_and_ends_terminated(sandbox, emr):
    sandbox.timing("emr-step", seconds=30, startup=0.05)
    cluster_id = start_cluster(emr, [step("running"), step("pending")])
    wait_for(lambda: states(emr, cluster_id)["running"] == "RUNNING")

    emr.terminate_job_flows(JobFlowIds=[cluster_id])

    status = emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["Status"]
    assert status["State"] == "TERMINATED"
    assert status["StateChangeReason"]["Message"] == "Terminated by user request"
    assert states(emr, cluster_id) == {"running": "CANCELLED", "pending": "CANCELLED"}


def test_cluster_without_keep_alive_terminates_after_its_steps(sandbox, emr):
    sandbox.timing("emr-step", seconds=0.1, startup=0.05)
    cluster_id = start_cluster(emr, [step("only")], keep_alive=False)
    wait_for(
        lambda: (
            emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["Status"]["State"] == "TERMINATED"
        )
    )
    assert states(emr, cluster_id) == {"only": "COMPLETED"}


def test_steps_cannot_be_added_to_a_terminated_cluster(sandbox, emr):
    cluster_id = start_cluster(emr)
    emr.terminate_job_flows(JobFlowIds=[cluster_id])
    with pytest.raises(emr.exceptions.ClientError, match="may not be modified"):
        emr.add_job_flow_steps(JobFlowId=cluster_id, Steps=[step("late")])
