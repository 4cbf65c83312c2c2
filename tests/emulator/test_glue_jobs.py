"""Glue job runs: a real process per run, its output streamed to CloudWatch while it runs, its
exit status as the run state, its exception as the error message, injected failures, stop."""

from __future__ import annotations

import re
import time

import pytest
from conftest import TEST_JOB, process_exists
from polling import wait_for

JOB = "nyc-process-to-staging"


def create_job(sandbox, script: str = TEST_JOB, **defaults) -> object:
    glue = sandbox.client("glue")
    glue.create_job(
        Name=JOB,
        Role="arn:aws:iam::123456789012:role/glue",
        Command={"Name": "glueetl", "ScriptLocation": script, "PythonVersion": "3"},
        GlueVersion="5.0",
        DefaultArguments={"--pickup_month": "2024-01", **defaults},
    )
    return glue


@pytest.fixture
def glue(lake):
    return create_job(lake)


def run_state(glue, run_id: str) -> dict:
    return glue.get_job_run(JobName=JOB, RunId=run_id)["JobRun"]


LIVE = ("STARTING", "RUNNING", "STOPPING")


def finished(glue, run_id: str, timeout: float = 30) -> dict:
    return wait_for(
        lambda: (r := run_state(glue, run_id))["JobRunState"] not in LIVE and r, timeout=timeout
    )


def log_messages(sandbox, group: str, run_id: str) -> list[str]:
    """The run's log lines in `group`; none while the run has not started."""
    logs = sandbox.client("logs")
    try:
        events = logs.get_log_events(logGroupName=group, logStreamName=run_id)
    except logs.exceptions.ResourceNotFoundException:
        return []
    return [e["message"] for e in events["events"]]


def test_run_streams_its_scripts_output_while_it_runs_and_succeeds(lake, glue):
    lake.timing("glue-job", startup=0.3)
    run_id = glue.start_job_run(JobName=JOB, Arguments={"--sleep": "3"})["JobRunId"]

    assert run_state(glue, run_id)["JobRunState"] == "STARTING"
    wait_for(lambda: run_state(glue, run_id)["JobRunState"] == "RUNNING", timeout=3)
    assert "CompletedOn" not in run_state(glue, run_id)
    # stderr (logging, Spark's log4j) goes to the error group as it is written
    wait_for(
        lambda: "INFO test_job: first" in log_messages(lake, "/aws-glue/jobs/error", run_id),
        timeout=5,
    )
    assert run_state(glue, run_id)["JobRunState"] == "RUNNING"
    assert "INFO test_job: second" not in log_messages(lake, "/aws-glue/jobs/error", run_id)
    run = finished(glue, run_id)

    assert run["JobRunState"] == "SUCCEEDED", run
    assert run["LogGroupName"] == "/aws-glue/jobs"
    assert run["GlueVersion"] == "5.0"
    assert run["CompletedOn"] >= run["StartedOn"]
    assert run["ExecutionTime"] >= 2
    assert "ErrorMessage" not in run
    # stdout goes to the output group: the script saw Glue's arguments and the job's
    (first,) = log_messages(lake, "/aws-glue/jobs/output", run_id)
    args = first.split(" args ", 1)[1]
    assert f"--JOB_NAME {JOB}" in args and f"--JOB_RUN_ID {run_id}" in args
    assert "--pickup_month 2024-01" in args and "--sleep 3" in args
    assert log_messages(lake, "/aws-glue/jobs/error", run_id)[-1] == "INFO test_job: second"


def test_a_failing_script_fails_the_run_with_its_own_exception(lake, glue):
    lake.timing("glue-job", startup=0.05)
    run_id = glue.start_job_run(JobName=JOB, Arguments={"--raise": "no trips for 2024-13"})[
        "JobRunId"
    ]
    run = finished(glue, run_id)

    assert run["JobRunState"] == "FAILED"
    assert run["ErrorMessage"] == "ValueError: no trips for 2024-13"
    error_log = log_messages(lake, "/aws-glue/jobs/error", run_id)
    assert "Traceback (most recent call last):" in error_log
    assert error_log[-1] == "ValueError: no trips for 2024-13"


def test_an_exit_status_without_traceback_is_the_error(lake, glue):
    lake.timing("glue-job", startup=0.05)
    run_id = glue.start_job_run(JobName=JOB, Arguments={"--exit": "3"})["JobRunId"]
    run = finished(glue, run_id)
    assert (run["JobRunState"], run["ErrorMessage"]) == (
        "FAILED",
        "Command failed with exit code 3",
    )


def test_a_missing_script_fails_the_run_and_says_where_it_looked(lake):
    glue = create_job(lake, script="s3://lake/scripts/not_there.py")
    lake.timing("glue-job", startup=0.05)
    run_id = glue.start_job_run(JobName=JOB)["JobRunId"]
    run = finished(glue, run_id, timeout=5)
    message = "the job's script s3://lake/scripts/not_there.py does not exist in S3"
    assert (run["JobRunState"], run["ErrorMessage"]) == ("FAILED", message)
    assert message in log_messages(lake, "/aws-glue/jobs/error", run_id)[-1]


def test_injected_failure_fails_the_next_run_only_without_running_it(lake, glue):
    lake.timing("glue-job", startup=0.05)
    message = "AnalysisException: Path does not exist: s3://lake/raw/green_tripdata/"
    lake.inject("glue-job", message, name=JOB)

    failed_id = glue.start_job_run(JobName=JOB)["JobRunId"]
    failed = finished(glue, failed_id, timeout=5)
    assert failed["ErrorMessage"] == message
    error_log = log_messages(lake, "/aws-glue/jobs/error", failed_id)
    assert "Traceback (most recent call last):" in error_log
    assert error_log[-1] == message
    assert log_messages(lake, "/aws-glue/jobs/output", failed_id) == []  # the script never ran

    assert lake.control("GET", "/injections")["injections"] == []
    next_id = glue.start_job_run(JobName=JOB)["JobRunId"]
    assert finished(glue, next_id)["JobRunState"] == "SUCCEEDED"


def test_injection_for_another_job_leaves_this_one_alone(lake, glue):
    lake.timing("glue-job", startup=0.05)
    lake.inject("glue-job", "boom", name="some-other-job")
    run_id = glue.start_job_run(JobName=JOB)["JobRunId"]
    assert finished(glue, run_id)["JobRunState"] == "SUCCEEDED"
    assert len(lake.control("GET", "/injections")["injections"]) == 1


def test_batch_stop_kills_the_script_and_ends_stopped(lake, glue):
    lake.timing("glue-job", startup=0.05)
    run_id = glue.start_job_run(JobName=JOB, Arguments={"--sleep": "120"})["JobRunId"]
    first = wait_for(lambda: log_messages(lake, "/aws-glue/jobs/output", run_id), timeout=10)
    pid = int(re.match(r"pid (\d+)", first[0]).group(1))
    assert process_exists(pid)

    answer = glue.batch_stop_job_run(JobName=JOB, JobRunIds=[run_id, "jr_unknown"])

    assert answer["SuccessfulSubmissions"] == [{"JobName": JOB, "JobRunId": run_id}]
    assert [e["JobRunId"] for e in answer["Errors"]] == ["jr_unknown"]
    # STOPPING, or already STOPPED when the killed script went at once
    assert run_state(glue, run_id)["JobRunState"] in ("STOPPING", "STOPPED")
    stopped = finished(glue, run_id, timeout=10)
    assert stopped["JobRunState"] == "STOPPED"
    assert "CompletedOn" in stopped
    assert not process_exists(pid), "stopping the run kills its script"
    # a finished run cannot be stopped again
    again = glue.batch_stop_job_run(JobName=JOB, JobRunIds=[run_id])
    assert again["SuccessfulSubmissions"] == []
    assert "STOPPED" in again["Errors"][0]["ErrorDetail"]["ErrorMessage"]


def test_max_concurrent_runs_still_enforced_while_running(lake, glue):
    lake.timing("glue-job", startup=0.05)
    run_id = glue.start_job_run(JobName=JOB, Arguments={"--sleep": "120"})["JobRunId"]
    with pytest.raises(glue.exceptions.ConcurrentRunsExceededException):
        glue.start_job_run(JobName=JOB)
    glue.batch_stop_job_run(JobName=JOB, JobRunIds=[run_id])
    finished(glue, run_id, timeout=10)


def test_timing_sets_only_the_startup_of_a_job_run(lake, glue):
    status, answer = lake.call("POST", "/platform-api/timing", {"target": "glue-job", "seconds": 5})
    assert status == 400
    assert "runs last as long as their script runs" in answer["error"]
    lake.timing("glue-job", startup=1.5)
    run_id = glue.start_job_run(JobName=JOB)["JobRunId"]
    time.sleep(0.8)
    assert run_state(glue, run_id)["JobRunState"] == "STARTING"
    assert finished(glue, run_id)["JobRunState"] == "SUCCEEDED"


def test_moto_state_manager_time_transition_sets_the_startup_until_timing_is_set(lake, glue):
    """Clients written for plain moto slow runs down through its state manager."""
    transition = {"progression": "time", "seconds": 1.5}
    status, _ = lake.call(
        "POST",
        "/moto-api/state-manager/set-transition",
        {"model_name": "glue::job_run", "transition": transition},
    )
    assert status == 201
    try:
        slow = glue.start_job_run(JobName=JOB)["JobRunId"]
        time.sleep(0.8)
        assert run_state(glue, slow)["JobRunState"] == "STARTING"
        assert finished(glue, slow)["JobRunState"] == "SUCCEEDED"

        lake.timing("glue-job", startup=0.05)  # takes precedence
        quick = glue.start_job_run(JobName=JOB)["JobRunId"]
        wait_for(lambda: run_state(glue, quick)["JobRunState"] != "STARTING", timeout=1)
    finally:
        lake.call(
            "POST", "/moto-api/state-manager/unset-transition", {"model_name": "glue::job_run"}
        )
