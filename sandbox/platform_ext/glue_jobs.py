"""Glue job runs that run their script for real, can fail or be stopped, and log to CloudWatch.

moto 5.2.5 finishes a run SUCCEEDED at once (its state manager, model glue::job_run) and has no
BatchStopJobRun. Here a run is STARTING for the target's startup time, then RUNNING while its
script runs with pyspark in local mode (spark_runs.py: the job's ScriptLocation from the
emulator's S3, its arguments, its s3:// paths served from a local copy of the lake). The
script's stdout goes to /aws-glue/jobs/output and its stderr (Python logging, Spark's log4j
lines, tracebacks) to /aws-glue/jobs/error, stream = run id, as they are written. Exit status
0 is SUCCEEDED; anything else FAILED with the job's exception as ErrorMessage. An injected
failure fails the run without running the script (its traceback ends with the message).
BatchStopJobRun moves a live run to STOPPING, kills the script's processes, then STOPPED.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from moto.core.responses import ActionResult
from moto.glue import models as glue_models
from moto.glue.responses import GlueResponse

from . import clock, control, sinks, spark_runs

OUTPUT_GROUP = "/aws-glue/jobs/output"
ERROR_GROUP = "/aws-glue/jobs/error"
LOG_GROUP_PREFIX = "/aws-glue/jobs"
LIVE_STATES = ("STARTING", "RUNNING", "STOPPING")
STREAM_GROUPS = {"stdout": OUTPUT_GROUP, "stderr": ERROR_GROUP}


def spark_line(level: str, logger: str, message: str) -> str:
    stamp = datetime.now(UTC).strftime("%y/%m/%d %H:%M:%S")
    return f"{stamp} {level} {logger}: {message}"


def traceback_lines(script: str, message: str) -> list[str]:
    """The traceback an injected failure logs: it ends with the failure message."""
    name = script.rsplit("/", 1)[-1] or "script.py"
    return [
        "Traceback (most recent call last):",
        f'  File "/tmp/{name}", line 1, in <module>',
        "    raise failure  # injected by the sandbox (platform-tui sandbox fail glue-job)",
        message,
    ]


class SimulatedJobRun(glue_models.FakeJobRun):
    """A FakeJobRun whose state follows its script's process instead of moto's state manager."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._state = "STARTING"
        self.job: Any = None
        self.error_message: str | None = None
        self._failure: str | None = None
        self._spark: spark_runs.SparkRun | None = None
        self._phase_started = time.time()
        self._running_since: float | None = None
        self._finished_at: float | None = None
        self._timing = control.timing("glue-job", self.job_name)

    # moto's ManagedState keeps the state in `status`; this one is driven by tick() only.
    @property
    def status(self) -> str:
        return self._state

    @status.setter
    def status(self, value: str) -> None:
        self._state = value

    def attach(self, job: Any) -> None:
        self.job = job
        self._failure = control.take_failure("glue-job", self.job_name)

    def _account_region(self) -> tuple[str, str]:
        return self.job.backend.account_id, self.job.backend.region_name

    def _write(self, group: str, lines: list[str]) -> None:
        sinks.put_log_lines(*self._account_region(), group, self.job_run_id, lines)

    def _enter(self, state: str, now: float) -> None:
        self._state = state
        self._phase_started = now
        self.modified_on = clock.utc(now)

    def _finish(self, state: str, now: float) -> None:
        self._enter(state, now)
        self._finished_at = now
        self.completed_on = clock.utc(now)

    def _script(self) -> str:
        return (self.job.command or {}).get("ScriptLocation", "")

    def tick(self, now: float) -> bool:
        if self._state == "STARTING" and now - self._phase_started >= self._timing.startup:
            self._enter("RUNNING", now)
            self._running_since = now
            self._launch(now)
        elif self._state == "RUNNING":
            self._pump()
            if self._spark is not None and self._spark.exit_code() is not None:
                self._complete(now)
        elif self._state == "STOPPING":
            self._stop(now)
        return self._state not in LIVE_STATES

    def _launch(self, now: float) -> None:
        for group in (OUTPUT_GROUP, ERROR_GROUP):
            self._write(group, [])  # the run's streams exist from its start, as on Glue
        if self._failure is not None:
            self._fail(traceback_lines(self._script(), self._failure), self._failure, now)
            return
        arguments = {**(self.job.default_arguments or {}), **(self.arguments or {})}
        try:
            launch = spark_runs.glue_launch(
                self._script(), self.job_name, self.job_run_id, arguments
            )
            self._spark = spark_runs.start(launch)
        except spark_runs.LaunchError as error:
            self._fail([spark_line("ERROR", "GlueJobRunner", str(error))], str(error), now)

    def _pump(self, final: bool = False) -> None:
        if self._spark is None:
            return
        for stream, lines in self._spark.take_lines(final).items():
            self._write(STREAM_GROUPS[stream], lines)

    def _complete(self, now: float) -> None:
        self._pump(final=True)
        lost = self._spark.finish()
        if self._spark.exit_code() != 0:
            self.error_message = self._spark.error_message()
            self._finish("FAILED", now)
        elif lost is not None:
            self._fail([spark_line("ERROR", "GlueJobRunner", lost)], lost, now)
        else:
            self._finish("SUCCEEDED", now)

    def _fail(self, error_lines: list[str], message: str, now: float) -> None:
        self._write(ERROR_GROUP, error_lines)
        self.error_message = message
        self._finish("FAILED", now)

    def _stop(self, now: float) -> None:
        if self._spark is not None and self._spark.exit_code() is None:
            self._spark.stop(now)
            self._pump()
            return
        if self._spark is not None:
            self._pump(final=True)
            self._spark.finish()
        self._write(OUTPUT_GROUP, [f"Job run {self.job_run_id} stopped by request"])
        self._finish("STOPPED", now)

    def request_stop(self) -> None:
        self._enter("STOPPING", time.time())

    def execution_seconds(self) -> int:
        if self._running_since is None:
            return 0
        end = self._finished_at or time.time()
        return int(end - self._running_since)

    def as_dict(self) -> dict[str, Any]:
        data = super().as_dict()
        data["ExecutionTime"] = self.execution_seconds()
        data["LogGroupName"] = LOG_GROUP_PREFIX
        data["JobMode"] = "SCRIPT"
        if self.job is not None:
            data["GlueVersion"] = self.job.glue_version or "4.0"
            data["ExecutionClass"] = self.job.execution_class
        if self._finished_at is None:
            data.pop("CompletedOn", None)
        if self.error_message:
            data["ErrorMessage"] = self.error_message
        return data


_original_start_job_run = glue_models.FakeJob.start_job_run


def start_job_run(self: glue_models.FakeJob, **kwargs: Any) -> str:
    with control.LOCK:
        run_id = _original_start_job_run(self, **kwargs)
        run = self.job_runs[-1]
        run.attach(self)
        clock.schedule(run)
        return run_id


def stop_job_runs(backend: Any, job_name: str, run_ids: list[str]) -> tuple[list, list]:
    job = backend.get_job(job_name)
    stopped, errors = [], []
    with control.LOCK:
        runs = {run.job_run_id: run for run in job.job_runs}
        for run_id in run_ids:
            run = runs.get(run_id)
            if run is not None and run.status in ("STARTING", "RUNNING"):
                run.request_stop()
                stopped.append({"JobName": job_name, "JobRunId": run_id})
                continue
            reason = (
                f"Job Run Id {run_id} not found"
                if run is None
                else f"Job Run {run_id} is in {run.status} state and cannot be stopped"
            )
            errors.append(
                {
                    "JobName": job_name,
                    "JobRunId": run_id,
                    "ErrorDetail": {"ErrorCode": "InvalidInputException", "ErrorMessage": reason},
                }
            )
    return stopped, errors


def batch_stop_job_run(self: GlueResponse) -> ActionResult:
    stopped, errors = stop_job_runs(
        self.glue_backend, self._get_param("JobName"), self._get_param("JobRunIds") or []
    )
    return ActionResult({"SuccessfulSubmissions": stopped, "Errors": errors})


def install() -> None:
    glue_models.FakeJobRun = SimulatedJobRun
    glue_models.FakeJob.start_job_run = start_job_run
    GlueResponse.batch_stop_job_run = batch_stop_job_run
