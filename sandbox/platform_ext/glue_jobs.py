"""Glue job runs that take time, can fail or be stopped, and log to CloudWatch Logs.

moto 5.2.5 finishes a run SUCCEEDED at once (its state manager, model glue::job_run) and has no
BatchStopJobRun. Here a run is STARTING for the target's startup time, RUNNING for its run time
(writing driver lines to /aws-glue/jobs/output and Spark lines to /aws-glue/jobs/error, stream =
run id), then SUCCEEDED, or FAILED with an injected message (its traceback in the error log).
BatchStopJobRun moves a live run to STOPPING, then STOPPED.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from moto.core.responses import ActionResult
from moto.glue import models as glue_models
from moto.glue.responses import GlueResponse

from . import clock, control, job_outputs, sinks

OUTPUT_GROUP = "/aws-glue/jobs/output"
ERROR_GROUP = "/aws-glue/jobs/error"
LOG_GROUP_PREFIX = "/aws-glue/jobs"
STOP_SECONDS = 0.3
LIVE_STATES = ("STARTING", "RUNNING", "STOPPING")


def spark_line(level: str, logger: str, message: str) -> str:
    stamp = datetime.now(UTC).strftime("%y/%m/%d %H:%M:%S")
    return f"{stamp} {level} {logger}: {message}"


def driver_script(job: Any, run: SimulatedJobRun) -> list[tuple[float, str, str]]:
    """(fraction of the run time, group, line): what a PySpark Glue job prints while it runs."""
    script = (job.command or {}).get("ScriptLocation", "script.py")
    arguments = run.arguments or {}
    source = arguments.get("--input", "the input path")
    target = arguments.get("--output", "the output path")
    args = " ".join(f"{k}={v}" for k, v in sorted(arguments.items()))
    return [
        (0.0, ERROR_GROUP, spark_line("INFO", "GlueContext", f"GlueContext for {run.job_name}")),
        (0.0, OUTPUT_GROUP, f"Job {run.job_name} run {run.job_run_id}: running {script}"),
        (0.0, OUTPUT_GROUP, f"Arguments: {args or '(none)'}"),
        (0.2, ERROR_GROUP, spark_line("INFO", "SparkContext", "Running Spark version 3.5.4")),
        (0.3, OUTPUT_GROUP, f"Reading {source}"),
        (0.5, ERROR_GROUP, spark_line("INFO", "DAGScheduler", "Job 0 finished: count")),
        (0.6, OUTPUT_GROUP, "Cleaning trips: dropping rows with null pickup or drop-off"),
        (0.8, OUTPUT_GROUP, f"Writing {target}"),
    ]


def traceback_lines(script: str, message: str) -> list[str]:
    """A PySpark traceback whose last line is the failure message, as Glue logs it."""
    name = script.rsplit("/", 1)[-1] or "script.py"
    return [
        "Traceback (most recent call last):",
        f'  File "/tmp/{name}", line 87, in <module>',
        "    main()",
        f'  File "/tmp/{name}", line 79, in main',
        "    write_staging(clean(read_raw(glue_context, args)), args)",
        '  File "/opt/amazon/spark/python/lib/pyspark.zip/pyspark/sql/utils.py", line 196, in deco',
        "    raise converted from None",
        message,
    ]


class SimulatedJobRun(glue_models.FakeJobRun):
    """A FakeJobRun whose state follows the clock instead of moto's state manager."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._state = "STARTING"
        self.job: Any = None
        self.error_message: str | None = None
        self._failure: str | None = None
        self._phase_started = time.time()
        self._running_since: float | None = None
        self._finished_at: float | None = None
        self._pending_lines: list[tuple[float, str, str]] = []
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
        self._pending_lines = driver_script(job, self)

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

    def tick(self, now: float) -> bool:
        elapsed = now - self._phase_started
        if self._state == "STARTING" and elapsed >= self._timing.startup:
            self._enter("RUNNING", now)
            self._running_since = now
        if self._state == "RUNNING":
            self._write_due_lines(now)
            if now - self._phase_started >= self._timing.run:
                self._complete(now)
        elif self._state == "STOPPING" and elapsed >= STOP_SECONDS:
            self._write(OUTPUT_GROUP, [f"Job run {self.job_run_id} stopped by request"])
            self._finish("STOPPED", now)
        return self._state not in LIVE_STATES

    def _write_due_lines(self, now: float) -> None:
        run = max(self._timing.run, 1e-9)
        self._write_lines_until((now - self._phase_started) / run)

    def _write_lines_until(self, progress: float) -> None:
        due = [line for line in self._pending_lines if line[0] <= progress]
        self._pending_lines = [line for line in self._pending_lines if line[0] > progress]
        for group in (OUTPUT_GROUP, ERROR_GROUP):
            self._write(group, [text for _, g, text in due if g == group])

    def _complete(self, now: float) -> None:
        self._write_lines_until(1.0)
        if self._failure is None:
            self._failure = self._write_output()
        if self._failure is None:
            self._write(OUTPUT_GROUP, [f"Job {self.job_name} finished successfully"])
            self._finish("SUCCEEDED", now)
            return
        script = (self.job.command or {}).get("ScriptLocation", "script.py")
        self._write(ERROR_GROUP, [spark_line("ERROR", "ProcessLauncher", "Error from Python")])
        self._write(ERROR_GROUP, traceback_lines(script, self._failure))
        self.error_message = self._failure
        self._finish("FAILED", now)

    def _write_output(self) -> str | None:
        """The job's output (job_outputs); None, or the error the run fails with."""
        script = (self.job.command or {}).get("ScriptLocation", "")
        arguments = {**(self.job.default_arguments or {}), **(self.arguments or {})}
        return job_outputs.glue_job_output(script, arguments)

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
