"""Glue job runs: time, log events, injected failure with traceback, stop."""

from __future__ import annotations

import time

import pytest
from polling import wait_for

JOB = "nyc-process-to-staging"
SCRIPT = "s3://lake/scripts/glue_process_to_staging.py"


@pytest.fixture
def glue(sandbox):
    glue = sandbox.client("glue")
    glue.create_job(
        Name=JOB,
        Role="arn:aws:iam::123456789012:role/glue",
        Command={"Name": "glueetl", "ScriptLocation": SCRIPT, "PythonVersion": "3"},
        GlueVersion="4.0",
        DefaultArguments={"--raw_path": "s3://lake/raw/"},
    )
    return glue


def run_state(glue, run_id: str) -> dict:
    return glue.get_job_run(JobName=JOB, RunId=run_id)["JobRun"]


def log_messages(sandbox, group: str, run_id: str) -> list[str]:
    events = sandbox.client("logs").get_log_events(logGroupName=group, logStreamName=run_id)
    return [e["message"] for e in events["events"]]


def test_run_goes_starting_running_succeeded_and_logs_to_both_groups(sandbox, glue):
    sandbox.timing("glue-job", seconds=0.8, startup=0.2)
    run_id = glue.start_job_run(JobName=JOB, Arguments={"--pickup_month": "2024-01"})["JobRunId"]

    assert run_state(glue, run_id)["JobRunState"] == "STARTING"
    wait_for(lambda: run_state(glue, run_id)["JobRunState"] == "RUNNING", timeout=3)
    assert "CompletedOn" not in run_state(glue, run_id)
    # lines appear while it runs, before it ends
    wait_for(lambda: log_messages(sandbox, "/aws-glue/jobs/output", run_id), timeout=3)
    run = wait_for(
        lambda: (r := run_state(glue, run_id))["JobRunState"] == "SUCCEEDED" and r, timeout=5
    )

    assert run["LogGroupName"] == "/aws-glue/jobs"
    assert run["GlueVersion"] == "4.0"
    assert run["Arguments"]["--pickup_month"] == "2024-01"
    assert run["Arguments"]["--raw_path"] == "s3://lake/raw/"
    assert run["CompletedOn"] >= run["StartedOn"]
    assert "ErrorMessage" not in run
    output = log_messages(sandbox, "/aws-glue/jobs/output", run_id)
    assert SCRIPT in output[0]
    assert "--pickup_month=2024-01" in "\n".join(output)
    assert output[-1] == f"Job {JOB} finished successfully"
    errors = log_messages(sandbox, "/aws-glue/jobs/error", run_id)
    assert any("SparkContext" in line for line in errors)


def test_injected_failure_fails_the_next_run_only_with_message_and_traceback(sandbox, glue):
    sandbox.timing("glue-job", seconds=0.3, startup=0.05)
    message = "AnalysisException: Path does not exist: s3://lake/raw/green_tripdata/"
    sandbox.inject("glue-job", message, name=JOB)

    failed_id = glue.start_job_run(JobName=JOB)["JobRunId"]
    failed = wait_for(
        lambda: (r := run_state(glue, failed_id))["JobRunState"] == "FAILED" and r, timeout=5
    )
    assert failed["ErrorMessage"] == message
    error_log = log_messages(sandbox, "/aws-glue/jobs/error", failed_id)
    assert "Traceback (most recent call last):" in error_log
    assert error_log[-1] == message

    assert sandbox.control("GET", "/injections")["injections"] == []
    next_id = glue.start_job_run(JobName=JOB)["JobRunId"]
    wait_for(lambda: run_state(glue, next_id)["JobRunState"] == "SUCCEEDED", timeout=5)


def test_injection_for_another_job_leaves_this_one_alone(sandbox, glue):
    sandbox.timing("glue-job", seconds=0.2, startup=0.05)
    sandbox.inject("glue-job", "boom", name="some-other-job")
    run_id = glue.start_job_run(JobName=JOB)["JobRunId"]
    wait_for(lambda: run_state(glue, run_id)["JobRunState"] == "SUCCEEDED", timeout=5)
    assert len(sandbox.control("GET", "/injections")["injections"]) == 1


def test_batch_stop_moves_a_running_run_to_stopping_then_stopped(sandbox, glue):
    sandbox.timing("glue-job", seconds=30, startup=0.05)
    run_id = glue.start_job_run(JobName=JOB)["JobRunId"]
    wait_for(lambda: run_state(glue, run_id)["JobRunState"] == "RUNNING", timeout=3)

    answer = glue.batch_stop_job_run(JobName=JOB, JobRunIds=[run_id, "jr_unknown"])

    assert answer["SuccessfulSubmissions"] == [{"JobName": JOB, "JobRunId": run_id}]
    assert [e["JobRunId"] for e in answer["Errors"]] == ["jr_unknown"]
    assert run_state(glue, run_id)["JobRunState"] == "STOPPING"
    stopped = wait_for(
        lambda: (r := run_state(glue, run_id))["JobRunState"] == "STOPPED" and r, timeout=3
    )
    assert "CompletedOn" in stopped
    # a finished run cannot be stopped again
    again = glue.batch_stop_job_run(JobName=JOB, JobRunIds=[run_id])
    assert again["SuccessfulSubmissions"] == []
    assert "STOPPED" in again["Errors"][0]["ErrorDetail"]["ErrorMessage"]


def test_max_concurrent_runs_still_enforced_while_running(sandbox, glue):
    sandbox.timing("glue-job", seconds=30, startup=0.05)
    glue.start_job_run(JobName=JOB)
    with pytest.raises(glue.exceptions.ConcurrentRunsExceededException):
        glue.start_job_run(JobName=JOB)


def test_moto_state_manager_time_transition_is_honoured_until_timing_is_set(sandbox, glue):
    """Clients written for plain moto slow runs down through its state manager."""
    transition = {"progression": "time", "seconds": 0.2}
    status, _ = sandbox.call(
        "POST",
        "/moto-api/state-manager/set-transition",
        {"model_name": "glue::job_run", "transition": transition},
    )
    assert status == 201
    try:
        quick = glue.start_job_run(JobName=JOB)["JobRunId"]  # default timing: 7 s
        wait_for(lambda: run_state(glue, quick)["JobRunState"] == "SUCCEEDED", timeout=2)

        sandbox.timing("glue-job", seconds=30, startup=0.05)  # takes precedence
        slow = glue.start_job_run(JobName=JOB)["JobRunId"]
        wait_for(lambda: run_state(glue, slow)["JobRunState"] == "RUNNING", timeout=2)
        time.sleep(0.5)
        assert run_state(glue, slow)["JobRunState"] == "RUNNING"
    finally:
        sandbox.call(
            "POST", "/moto-api/state-manager/unset-transition", {"model_name": "glue::job_run"}
        )
