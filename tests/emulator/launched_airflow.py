"""A real Airflow 3 for tests: sandbox/airflow/launch.py run by .venv/airflow3's Python
(`scripts/venv airflow3`; scripts/checks/emulator makes it), on a free port, pointed at an
emulator; stopped with SIGTERM (the launcher stops its children) when the block ends."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = ROOT / "sandbox" / "airflow" / "launch.py"
AIRFLOW_PYTHON = ROOT / ".venv" / "airflow3" / "bin" / "python"
READY_TIMEOUT = 240.0
STOP_TIMEOUT = 40.0


@dataclass
class LaunchedAirflow:
    url: str
    port: int
    home: Path

    def registration(self, **extra) -> dict:
        """The body `sandbox up` posts to /platform-api/mwaa/airflow."""
        return {"url": self.url, "username": "admin", "password": "admin", **extra}

    def token(self) -> str:
        request = urllib.request.Request(
            self.url + "/auth/token",
            data=json.dumps({"username": "admin", "password": "admin"}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with no_proxy().open(request, timeout=10) as response:
            return json.loads(response.read())["access_token"]

    def version(self) -> str:
        request = urllib.request.Request(
            self.url + "/api/v2/version", headers={"Authorization": f"Bearer {self.token()}"}
        )
        with no_proxy().open(request, timeout=10) as response:
            return json.loads(response.read())["version"]


def no_proxy() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def launch_airflow(directory: Path, emulator_url: str) -> Iterator[LaunchedAirflow]:
    if not AIRFLOW_PYTHON.exists():
        raise RuntimeError(f"{AIRFLOW_PYTHON} is missing: run `scripts/venv airflow3`")
    port = free_port()
    log = directory / "launcher.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [str(AIRFLOW_PYTHON), str(LAUNCHER), "--home", str(directory / "home")]
            + ["--port", str(port), "--emulator-url", emulator_url],
            stdout=subprocess.PIPE,
            stderr=stderr,
        )
    try:
        wait_ready(process, log)
        yield LaunchedAirflow(f"http://127.0.0.1:{port}", port, directory / "home")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_ready(process: subprocess.Popen, log: Path) -> None:
    """Until the launcher's READY line (reading stdout blocks, so a deadline kills it)."""
    deadline = time.monotonic() + READY_TIMEOUT
    timer = _kill_at(process, deadline)
    try:
        line = process.stdout.readline().decode()
    finally:
        timer.cancel()
    if not line.startswith("READY "):
        tail = log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"
        raise RuntimeError(f"the Airflow launcher was not ready ({line!r}); its log:\n{tail}")


def _kill_at(process: subprocess.Popen, deadline: float) -> threading.Timer:
    timer = threading.Timer(max(0.0, deadline - time.monotonic()), process.kill)
    timer.daemon = True
    timer.start()
    return timer
