"""The emulator's clock: one daemon thread that moves every simulated run forward in time.

A simulation is any object with `tick(now: float) -> bool` (now = time.time(); True when it is
finished and can be forgotten). Runs progress on wall-clock time whether or not anyone polls,
like on AWS, so a log stream grows while nobody describes the run.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from typing import Protocol

from .control import LOCK

TICK_SECONDS = 0.05
log = logging.getLogger("platform_ext.clock")


class Simulation(Protocol):
    def tick(self, now: float) -> bool: ...


_simulations: list[Simulation] = []
_thread: threading.Thread | None = None


def utc(seconds: float) -> datetime:
    """A time.time() value as the aware datetime moto's serializers expect."""
    return datetime.fromtimestamp(seconds, tz=UTC)


def schedule(simulation: Simulation) -> None:
    """Start moving `simulation` forward (and the clock thread, on first use)."""
    global _thread
    with LOCK:
        _simulations.append(simulation)
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_run, name="platform-ext-clock", daemon=True)
            _thread.start()


def tick_all(now: float | None = None) -> None:
    now = time.time() if now is None else now
    with LOCK:
        for simulation in list(_simulations):
            try:
                finished = simulation.tick(now)
            except Exception:
                log.exception("simulation %r failed; dropping it", simulation)
                finished = True
            if finished:
                _simulations.remove(simulation)


def forget_all() -> None:
    with LOCK:
        _simulations.clear()


def _run() -> None:
    while True:
        tick_all()
        time.sleep(TICK_SECONDS)
