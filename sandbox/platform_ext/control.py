"""What the sandbox's operator controls: injected failures and simulated durations.

Both are process-wide (one emulator per process), thread-safe, and cleared by `reset()` (which
moto's own `POST /moto-api/reset` also calls once `install()` has run).
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass

# Everything the extensions change in moto's models happens under this lock: request threads
# (start, stop, cancel) and the clock's ticks never interleave.
LOCK = threading.RLock()

TARGETS = ("glue-job", "glue-crawler", "emr-step", "redshift-sql")


# Glue job runs and EMR steps run their real script (spark_runs.py): they last as long as it
# runs, so only their startup time is set here.
REAL_RUNS = ("glue-job", "emr-step")


@dataclass(frozen=True)
class Timing:
    """How long a unit of work takes: `startup` before it runs (Glue STARTING, EMR PENDING once
    it is first in line, Redshift SUBMITTED), then `run` seconds of running (None for the
    REAL_RUNS targets, whose script decides)."""

    startup: float
    run: float | None


DEFAULT_TIMINGS = {
    "glue-job": Timing(startup=1.0, run=None),
    "glue-crawler": Timing(startup=0.0, run=5.0),
    "emr-step": Timing(startup=1.0, run=None),
    "redshift-sql": Timing(startup=0.1, run=0.2),
}

DEFAULT_MESSAGES = {
    "glue-job": "Injected failure: the sandbox was told to fail this job run",
    "glue-crawler": "Injected failure: the sandbox was told to fail this crawl",
    "emr-step": "Injected failure: the sandbox was told to fail this step",
    "redshift-sql": "Injected failure: the sandbox was told to fail this statement",
}


class ControlError(ValueError):
    """A request to the control API that cannot be honoured (answered with HTTP 400)."""


@dataclass
class Injection:
    """The next `remaining` runs of `target` named `name` (any name when None) fail with
    `message`."""

    target: str
    name: str | None
    message: str
    remaining: int = 1

    def matches(self, target: str, names: tuple[str, ...]) -> bool:
        return self.target == target and (self.name is None or self.name in names)


_injections: list[Injection] = []
_timings: dict[tuple[str, str | None], Timing] = {}


def check_target(target: object) -> str:
    if target not in TARGETS:
        raise ControlError(f"unknown target {target!r}: expected one of {', '.join(TARGETS)}")
    return str(target)


def inject(target: str, name: str | None = None, message: str | None = None, count: int = 1):
    target = check_target(target)
    if count < 1:
        raise ControlError(f"count must be at least 1, got {count}")
    injection = Injection(target, name or None, message or DEFAULT_MESSAGES[target], count)
    with LOCK:
        _injections.append(injection)
    return injection


def take_failure(target: str, *names: str) -> str | None:
    """Consume one matching injection (oldest first); its message, or None to succeed."""
    with LOCK:
        for injection in _injections:
            if injection.matches(target, tuple(n for n in names if n)):
                injection.remaining -= 1
                if injection.remaining == 0:
                    _injections.remove(injection)
                return injection.message
    return None


def injections() -> list[dict]:
    with LOCK:
        return [asdict(i) for i in _injections]


def clear_injections(target: str | None = None) -> int:
    with LOCK:
        kept = [i for i in _injections if target is not None and i.target != target]
        cleared = len(_injections) - len(kept)
        _injections[:] = kept
        return cleared


def set_timing(
    target: str,
    seconds: float | None,
    startup_seconds: float | None = None,
    name: str | None = None,
) -> Timing:
    target = check_target(target)
    if target in REAL_RUNS and seconds is not None:
        raise ControlError(
            f"{target} runs last as long as their script runs: set only 'startup_seconds'"
        )
    if target not in REAL_RUNS and seconds is None:
        raise ControlError(f"'seconds' is required for {target}")
    default = timing(target, name)
    startup = default.startup if startup_seconds is None else float(startup_seconds)
    if (seconds or 0) < 0 or startup < 0:
        raise ControlError("durations cannot be negative")
    value = Timing(startup=startup, run=None if seconds is None else float(seconds))
    with LOCK:
        _timings[(target, name or None)] = value
    return value


def timing(target: str, *names: str | None) -> Timing:
    """The timing for a run of `target` named by any of `names`, else the target's own, else
    a "time" transition set through moto's state manager, else the default."""
    with LOCK:
        for name in names:
            if name and (target, name) in _timings:
                return _timings[(target, name)]
        if (target, None) in _timings:
            return _timings[(target, None)]
        return state_manager_timing(target) or DEFAULT_TIMINGS[target]


# Clients written for plain moto slow Glue down with POST /moto-api/state-manager/set-transition
# {"model_name": "glue::job_run", "transition": {"progression": "time", "seconds": N}}: honoured
# (N seconds per state change: a job run's startup, a crawl's startup and run) unless
# /platform-api/timing says otherwise.
STATE_MANAGER_MODELS = {"glue-job": ("glue::job_run", 1.0), "glue-crawler": ("glue::crawl", 0.0)}


def state_manager_timing(target: str) -> Timing | None:
    if target not in STATE_MANAGER_MODELS:
        return None
    from moto.moto_api import state_manager

    model, startup_steps = STATE_MANAGER_MODELS[target]
    transition = state_manager.get_transition(model)
    if transition.get("progression") != "time":
        return None
    seconds = float(transition.get("seconds", 0))
    return Timing(startup=seconds * startup_steps, run=None if target in REAL_RUNS else seconds)


def timings() -> list[dict]:
    with LOCK:
        configured = {(t, None): DEFAULT_TIMINGS[t] for t in TARGETS} | _timings
        return [
            {"target": t, "name": n, "startup_seconds": v.startup, "seconds": v.run}
            for (t, n), v in configured.items()
        ]


def reset() -> None:
    with LOCK:
        _injections.clear()
        _timings.clear()
