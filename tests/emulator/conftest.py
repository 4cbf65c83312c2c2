"""A real sandbox emulator (moto + sandbox/platform_ext) on a free 127.0.0.1 port, for the session.

Started by emulator_process.running_emulator (`python -m platform_ext --host 127.0.0.1 --port N`
from sandbox/), stopped by pid at the end. Every test starts from a reset emulator
(POST /moto-api/reset also clears injections and durations) and short timings.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from emulator_process import running_emulator

REGION = "us-east-1"
# The session emulator's control token (the emulator reads PLATFORM_API_TOKEN at start).
CONTROL_TOKEN = secrets.token_hex(16)


@dataclass
class Emulator:
    endpoint: str
    process: subprocess.Popen

    def client(self, service: str):
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="sandbox",
            aws_secret_access_key="sandbox",
            config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}),
        )

    def call(
        self, method: str, path: str, body: object | None = None, token: str | None = CONTROL_TOKEN
    ) -> tuple[int, dict]:
        """`token` goes in the control token header (None: no header)."""
        data = None if body is None else json.dumps(body).encode()
        headers = {} if token is None else {"X-Platform-Api-Token": token}
        request = urllib.request.Request(
            self.endpoint + path, data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def control(self, method: str, path: str, body: object | None = None) -> dict:
        status, answer = self.call(method, "/platform-api" + path, body)
        assert status in (200, 201), (status, answer)
        return answer

    def timing(
        self, target: str, seconds: float | None = None, startup: float = 0.05, **extra
    ) -> None:
        """Durations of `target`'s runs (Glue job runs and EMR steps: startup only)."""
        body = {"target": target, "startup_seconds": startup, **extra}
        if seconds is not None:
            body["seconds"] = seconds
        self.control("POST", "/timing", body)

    def inject(self, target: str, message: str, name: str | None = None) -> None:
        self.control("POST", "/inject", {"target": target, "name": name, "message": message})

    def reset(self) -> None:
        status, _ = self.call("POST", "/moto-api/reset")
        assert status == 200


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    log = tmp_path_factory.mktemp("emulator") / "emulator.log"
    with running_emulator(Path(sys.executable), log, CONTROL_TOKEN) as (process, endpoint):
        yield Emulator(endpoint, process)


@pytest.fixture
def sandbox(emulator: Emulator) -> Emulator:
    """The session's emulator, reset: no resources, no injections, default timings."""
    emulator.reset()
    return emulator


LAKE = "lake"
TEST_JOB = f"s3://{LAKE}/scripts/test_job.py"
# A job script for the run-state tests: a real process, like a Spark job's driver, without
# Spark's start-up time. `--sleep S`, then `--raise MESSAGE` or `--exit CODE`.
TEST_JOB_BODY = b"""import os, sys, time
args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
print(f"pid {os.getpid()} args {' '.join(sys.argv[1:])}", flush=True)
print("INFO test_job: first", file=sys.stderr, flush=True)
time.sleep(float(args.get("--sleep", "0")))
print("INFO test_job: second", file=sys.stderr, flush=True)
if "--raise" in args:
    raise ValueError(args["--raise"])
sys.exit(int(args.get("--exit", "0")))
"""


@pytest.fixture
def lake(sandbox: Emulator) -> Emulator:
    """The reset emulator with bucket `lake` holding scripts/test_job.py."""
    s3 = sandbox.client("s3")
    s3.create_bucket(Bucket=LAKE)
    s3.put_object(Bucket=LAKE, Key="scripts/test_job.py", Body=TEST_JOB_BODY)
    return sandbox


def process_exists(pid: int) -> bool:
    """True while `pid` runs (a zombie waiting to be reaped counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return not stat.rsplit(") ", 1)[-1].startswith(("Z", "X"))
