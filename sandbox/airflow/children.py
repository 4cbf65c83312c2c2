"""The launcher's child processes: started with their output in a log file, each in its own
process group (so a stop reaches the workers they fork), tied to the launcher's life by
PR_SET_PDEATHSIG (a killed launcher still takes its children down), stopped TERM then KILL.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PR_SET_PDEATHSIG = 1
TAIL_LINES = 40


def _die_with_launcher() -> None:
    """preexec_fn: own process group, and SIGTERM when the launcher (the forking thread) dies."""
    os.setpgid(0, 0)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    process: subprocess.Popen
    log_file: Path

    @classmethod
    def start(cls, name: str, argv: Sequence[str], env: dict[str, str], log_dir: Path) -> Child:
        log_file = log_dir / f"{name}.log"
        with log_file.open("ab") as log:
            process = subprocess.Popen(
                list(argv),
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_launcher,
            )
        return cls(name, process, log_file)

    def exit_code(self) -> int | None:
        return self.process.poll()

    def signal_group(self, signum: int) -> None:
        try:
            os.killpg(self.process.pid, signum)
        except ProcessLookupError:
            pass

    def tail(self, lines: int = TAIL_LINES) -> str:
        try:
            text = self.log_file.read_text(errors="replace")
        except OSError as err:
            return f"(cannot read {self.log_file}: {err})"
        return "\n".join(text.splitlines()[-lines:])

    def report_death(self) -> None:
        print(
            f"launch: {self.name} exited with status {self.exit_code()}; last lines of"
            f" {self.log_file}:\n{self.tail()}",
            file=sys.stderr,
            flush=True,
        )


def stop_all(children: Sequence[Child], grace: float) -> None:
    """SIGTERM every child's process group, wait up to `grace` seconds, then SIGKILL the rest.
    The groups are killed once more at the end: workers a child forked can outlive it."""
    for child in children:
        child.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(c.exit_code() is None for c in children):
        time.sleep(0.1)
    for child in children:
        child.signal_group(signal.SIGKILL)
        try:
            child.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            print(
                f"launch: {child.name} (pid {child.process.pid}) ignores SIGKILL", file=sys.stderr
            )


def run_step(name: str, argv: Sequence[str], env: dict[str, str], log_dir: Path, timeout: float):
    """Run a one-off command (e.g. `airflow db migrate`) to completion; None on success, else
    the reason with the log's tail."""
    child = Child.start(name, argv, env, log_dir)
    try:
        code = child.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop_all([child], grace=5)
        return f"{name} did not finish in {timeout:.0f} s:\n{child.tail()}"
    if code != 0:
        return f"{name} failed with status {code}:\n{child.tail()}"
    return None
