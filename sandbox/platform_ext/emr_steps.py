"""EMR steps that run one after another for real, can fail or be cancelled, and log to the LogUri.

moto 5.2.5 leaves the first step RUNNING and the rest PENDING forever and has no CancelSteps.
Here each cluster has a step runner on the clock: the oldest PENDING step waits the emr-step
startup time, then runs its command (spark_runs.py: `spark-submit … s3://…/app.py …` with
pyspark in local mode against a local copy of the lake) while the cluster is RUNNING. Its
stdout and stderr go to <LogUri>/<cluster-id>/steps/<step-id>/{stdout,stderr}.gz as they are
written (rewritten at most every LOG_FLUSH_SECONDS), the controller log says what ran and how
it ended. Exit status 0 is COMPLETED; anything else FAILED with FailureDetails whose Message is
the job's exception; an injected failure fails the step without running it. ActionOnFailure is
honoured. Cancelling a running step kills its processes; terminating the cluster cancels the
steps left.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from moto.core.responses import ActionResult
from moto.emr import models as emr_models
from moto.emr.exceptions import ValidationException
from moto.emr.responses import ElasticMapReduceResponse

from . import clock, control, sinks, spark_runs

CANCEL_SECONDS = 0.3
LOG_FLUSH_SECONDS = 1.0
LIVE_STEP_STATES = ("PENDING", "RUNNING", "CANCEL_PENDING")
CLUSTER_DONE_STATES = ("TERMINATING", "TERMINATED", "TERMINATED_WITH_ERRORS")
LOG_FILES = ("controller", "stderr", "stdout")
FAILURE_REASON = "Unknown Error."


def log_stamp() -> str:
    return datetime.now(UTC).strftime("%y/%m/%d %H:%M:%S")


class StepLogs:
    """The three log files of one step, rewritten gzip'd to S3 when they grew: at most every
    LOG_FLUSH_SECONDS while the step runs, and once more when it ends."""

    def __init__(self, cluster: emr_models.Cluster, step: emr_models.Step) -> None:
        self.lines: dict[str, list[str]] = {name: [] for name in LOG_FILES}
        self.unwritten: set[str] = set()
        self.flushed_at = 0.0
        self.location: tuple[str, str] | None = None
        if cluster.log_uri:
            try:
                bucket, prefix = sinks.split_s3_uri(cluster.log_uri)
            except ValueError:
                return
            self.location = (bucket, f"{prefix}{cluster.id}/steps/{step.id}/")

    def uri(self, name: str) -> str | None:
        if self.location is None:
            return None
        bucket, prefix = self.location
        return f"s3://{bucket}/{prefix}{name}.gz"

    def append(self, name: str, lines: list[str], now: float | None = None) -> None:
        """Adds lines; written now if `now` is None (a state change), else when due."""
        if lines:
            self.lines[name].extend(lines)
            self.unwritten.add(name)
        if now is None or now - self.flushed_at >= LOG_FLUSH_SECONDS:
            self.flush(now)

    def flush(self, now: float | None = None) -> None:
        self.flushed_at = time.time() if now is None else now
        if self.location is not None:
            bucket, prefix = self.location
            for name in sorted(self.unwritten):
                text = "\n".join(self.lines[name]) + "\n"
                sinks.put_gzip_object(bucket, f"{prefix}{name}.gz", text)
        self.unwritten.clear()


class StepRun:
    """What the runner knows about one step beyond moto's Step."""

    def __init__(self, cluster: emr_models.Cluster, step: emr_models.Step) -> None:
        self.step = step
        self.logs = StepLogs(cluster, step)
        self.timing = control.timing("emr-step", step.name, cluster.id)
        self.failure: str | None = None
        self.spark: spark_runs.SparkRun | None = None
        self.phase_started: float | None = None
        self.failure_details: dict[str, str] | None = None

    def pump(self, now: float | None = None, final: bool = False) -> None:
        """The script's new output lines into the step's stdout and stderr logs."""
        if self.spark is not None:
            for stream, lines in self.spark.take_lines(final).items():
                self.logs.append(stream, lines, None if final else now)


class StepRunner:
    """Runs one cluster's steps in order, one at a time (on the clock)."""

    def __init__(self, cluster: emr_models.Cluster) -> None:
        self.cluster = cluster
        self.runs: dict[str, StepRun] = {}

    def run_of(self, step: emr_models.Step) -> StepRun:
        if step.id not in self.runs:
            self.runs[step.id] = StepRun(self.cluster, step)
        return self.runs[step.id]

    def tick(self, now: float) -> bool:
        state = getattr(self.cluster, "state", None)
        if state in CLUSTER_DONE_STATES:
            return True
        if state not in ("WAITING", "RUNNING"):  # RunJobFlow is still building the cluster
            return False
        live = [s for s in self.cluster.steps if s.state in LIVE_STEP_STATES]
        if not live:
            self._idle()
            return True
        step = live[0]
        run = self.run_of(step)
        if run.phase_started is None:
            run.phase_started = now
        elapsed = now - run.phase_started
        if step.state == "PENDING" and elapsed >= run.timing.startup:
            self._start(step, run, now)
        elif step.state == "RUNNING":
            run.pump(now)
            if run.spark is None or run.spark.exit_code() is not None:
                self._end(step, run, now)
        elif step.state == "CANCEL_PENDING":
            self._cancel_running(step, run, now)
        if self.cluster.state in CLUSTER_DONE_STATES:
            return True
        if not any(s.state in LIVE_STEP_STATES for s in self.cluster.steps):
            self._idle()  # in the same tick: the last step's end and WAITING are seen together
            return True
        return False

    def _idle(self) -> None:
        if self.cluster.keep_job_flow_alive_when_no_steps:
            self.cluster.state = "WAITING"
            self.cluster.last_state_change_reason = "Cluster ready after last step completed."
        else:
            self.cluster.terminate()
            self.cluster.last_state_change_reason = "Steps completed"

    def _start(self, step: emr_models.Step, run: StepRun, now: float) -> None:
        step.state = "RUNNING"
        step.start_date_time = clock.utc(now)
        run.phase_started = now
        run.failure = control.take_failure("emr-step", step.name, self.cluster.id)
        self.cluster.state = "RUNNING"
        self.cluster.last_state_change_reason = "Running step"
        command = " ".join([step.jar, *step.args])
        controller = [
            f"{log_stamp()} INFO Ensure step {step.id} jar file {step.jar}",
            f"{log_stamp()} INFO startExec '{command}'",
        ]
        if run.failure is None:
            try:
                launch = spark_runs.emr_launch(step.jar, list(step.args))
                controller += [f"{log_stamp()} INFO sandbox: {note}" for note in launch.notes]
                run.spark = spark_runs.start(launch)
            except spark_runs.LaunchError as error:
                run.failure = str(error)
        run.logs.append("controller", controller)

    def _end(self, step: emr_models.Step, run: StepRun, now: float) -> None:
        seconds = int(now - run.phase_started)
        step.end_date_time = clock.utc(now)
        code = 1
        if run.spark is not None:
            run.pump(final=True)
            lost = run.spark.finish()
            code = run.spark.exit_code()
            if code != 0:
                run.failure = run.spark.error_message()
            elif lost is not None:
                run.failure, code = lost, 1
        elif run.failure is not None:
            run.logs.append(
                "stderr",
                [
                    "Traceback (most recent call last):",
                    f'  File "{step.args[-1] if step.args else step.jar}", line 1, in <module>',
                    run.failure,
                ],
            )
        if run.failure is None:
            run.logs.append("controller", [f"{log_stamp()} INFO Step succeeded with exitCode 0"])
            step.state = "COMPLETED"
            return
        run.logs.append(
            "controller",
            [f"{log_stamp()} WARN Step failed with exitCode {code} and took {seconds} seconds"],
        )
        step.state = "FAILED"
        run.failure_details = {"Reason": FAILURE_REASON, "Message": run.failure}
        if run.logs.uri("stderr"):
            run.failure_details["LogFile"] = run.logs.uri("stderr")
        step.last_state_change_reason = run.failure
        self._after_failure(step, now)

    def _cancel_running(self, step: emr_models.Step, run: StepRun, now: float) -> None:
        """Kills the step's processes; CANCELLED once they are gone."""
        if run.spark is not None and run.spark.exit_code() is None:
            run.spark.stop(now)
            run.pump(now)
            return
        if run.spark is None and now - run.phase_started < CANCEL_SECONDS:
            return
        self._cancel(step, run, now, "Cancelled by user request")

    def _after_failure(self, step: emr_models.Step, now: float) -> None:
        action = step.action_on_failure
        if action == "CONTINUE":
            return
        for other in self.cluster.steps:
            if other.state == "PENDING":
                self._cancel(other, self.run_of(other), now, f"Step {step.id} failed")
        if action in ("TERMINATE_CLUSTER", "TERMINATE_JOB_FLOW"):
            self.cluster.terminate()
            self.cluster.state = "TERMINATED_WITH_ERRORS"
            self.cluster.last_state_change_reason = f"Shut down as step {step.id} failed"

    def _cancel(self, step: emr_models.Step, run: StepRun, now: float, reason: str) -> None:
        if run.spark is not None and not run.spark.finished:
            run.spark.kill()
            run.pump(final=True)
            run.spark.finish()
        if step.state == "CANCEL_PENDING":
            run.logs.append("controller", [f"{log_stamp()} INFO Step cancelled: {reason}"])
        step.state = "CANCELLED"
        step.end_date_time = clock.utc(now)
        step.last_state_change_reason = reason

    def cancel(self, step: emr_models.Step) -> dict[str, str]:
        if step.state == "PENDING":
            self._cancel(step, self.run_of(step), time.time(), "Cancelled by user request")
        elif step.state == "RUNNING":
            step.state = "CANCEL_PENDING"
            self.run_of(step).phase_started = time.time()
        elif step.state != "CANCEL_PENDING":
            reason = f"Step {step.id} is {step.state} and cannot be cancelled"
            return {"StepId": step.id, "Status": "FAILED", "Reason": reason}
        return {"StepId": step.id, "Status": "SUBMITTED"}

    def cancel_all(self, reason: str) -> None:
        now = time.time()
        for step in self.cluster.steps:
            if step.state in LIVE_STEP_STATES:
                self._cancel(step, self.run_of(step), now, reason)


def runner_for(cluster: emr_models.Cluster) -> StepRunner:
    """The cluster's runner, put (back) on the clock if it had stopped."""
    runner = getattr(cluster, "_platform_step_runner", None)
    if runner is None:
        runner = StepRunner(cluster)
        cluster._platform_step_runner = runner
    if not getattr(cluster, "_platform_runner_scheduled", False):
        cluster._platform_runner_scheduled = True
        clock.schedule(_Scheduled(cluster, runner))
    return runner


class _Scheduled:
    """Clears the cluster's 'scheduled' mark when its runner goes idle."""

    def __init__(self, cluster: emr_models.Cluster, runner: StepRunner) -> None:
        self.cluster, self.runner = cluster, runner

    def tick(self, now: float) -> bool:
        finished = self.runner.tick(now)
        if finished:
            self.cluster._platform_runner_scheduled = False
        return finished


def add_steps(self: emr_models.Cluster, steps: list[dict[str, Any]]) -> list[emr_models.Step]:
    if getattr(self, "state", None) in CLUSTER_DONE_STATES:
        raise ValidationException(
            "A job flow that is shutting down, terminated, or finished may not be modified."
        )
    with control.LOCK:
        added = [emr_models.Step(state="PENDING", **step) for step in steps]
        for step in added:
            step._platform_cluster = self
        self.steps.extend(added)
        if added:
            runner_for(self)
        return added


_original_terminate = emr_models.Cluster.terminate
_original_step_status = emr_models.Step.status.fget
_original_terminate_job_flows = emr_models.ElasticMapReduceBackend.terminate_job_flows


def terminate(self: emr_models.Cluster) -> None:
    with control.LOCK:
        runner = getattr(self, "_platform_step_runner", None) or StepRunner(self)
        runner.cancel_all("Cancelled because the cluster was terminated")
        _original_terminate(self)


def step_status(self: emr_models.Step) -> dict[str, Any]:
    status = _original_step_status(self)
    if self.state == "PENDING":
        status["Timeline"]["StartDateTime"] = None
    cluster = getattr(self, "_platform_cluster", None)
    runner = getattr(cluster, "_platform_step_runner", None)
    run = runner.runs.get(self.id) if runner else None
    if run is not None and run.failure_details:
        status["FailureDetails"] = run.failure_details
    return status


def terminate_job_flows(self: emr_models.ElasticMapReduceBackend, job_flow_ids: list[str]):
    clusters = _original_terminate_job_flows(self, job_flow_ids)
    for cluster in clusters:
        cluster.last_state_change_reason = "Terminated by user request"
    return clusters


def cancel_steps(self: ElasticMapReduceResponse) -> ActionResult:
    cluster = self.backend.describe_cluster(self._get_param("ClusterId"))
    wanted = self._get_param("StepIds") or []
    with control.LOCK:
        runner = runner_for(cluster)
        steps = {s.id: s for s in cluster.steps}
        infos = [
            runner.cancel(steps[i])
            if i in steps
            else {"StepId": i, "Status": "FAILED", "Reason": f"Step {i} not found"}
            for i in wanted
        ]
    return ActionResult({"CancelStepsInfoList": infos})


def install() -> None:
    emr_models.Cluster.add_steps = add_steps
    emr_models.Cluster.terminate = terminate
    emr_models.Step.status = property(step_status)
    emr_models.ElasticMapReduceBackend.terminate_job_flows = terminate_job_flows
    ElasticMapReduceResponse.cancel_steps = cancel_steps
