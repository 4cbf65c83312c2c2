"""Start and stop a sandbox emulator (moto + sandbox/platform_ext) for a test session.

Used by tests/emulator/conftest.py and by tests that need the emulator from another venv
(tests/dags: the DAG's EMR operators against it). `python -m platform_ext --host 127.0.0.1
--port N` from sandbox/, output to a log file, stopped by pid (SIGTERM, then SIGKILL).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SANDBOX = ROOT / "sandbox"
SANDBOX_PYTHON = ROOT / ".venv" / "sandbox" / "bin" / "python"
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(endpoint: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"emulator exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(endpoint + "/moto-api/", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"emulator not ready after {START_TIMEOUT}s")


@contextmanager
def running_emulator(
    python: Path, log: Path, control_token: str | None = None
) -> Iterator[tuple[subprocess.Popen, str]]:
    """(process, endpoint) of an emulator run by `python` (a venv with sandbox/requirements.txt)
    while the block runs, its control API guarded by `control_token` when given; its log's tail
    is printed if it does not start."""
    port = free_port()
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(python), "-m", "platform_ext", "--host", "127.0.0.1", "--port", str(port)],
            cwd=SANDBOX,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={
                **os.environ,
                "PYTHONUNBUFFERED": "1",
                **({"PLATFORM_API_TOKEN": control_token} if control_token else {}),
            },
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_ready(endpoint, process)
        yield process, endpoint
    except RuntimeError:
        print(log.read_text(errors="replace")[-4000:])
        raise
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
