"""sandbox/airflow/launch.py's contract beyond READY (which the MWAA tests rely on): a taken
port is refused before anything starts, and a child that dies takes the launcher down with its
log tail while the other children are stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from launched_airflow import AIRFLOW_PYTHON, LAUNCHER, free_port, wait_ready

EXIT_CHILD_DIED = 1
EXIT_PORT_TAKEN = 4


def launcher(home, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [str(AIRFLOW_PYTHON), str(LAUNCHER), "--home", str(home), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent == pid:
            found.append(int(entry))
    return found


def is_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def test_a_taken_port_is_refused_before_anything_starts(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        process = launcher(tmp_path / "home", taken.getsockname()[1])
        stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == EXIT_PORT_TAKEN, stderr.decode()
    assert stdout == b""
    assert b"already taken" in stderr
    assert not (tmp_path / "home" / "airflow.db").exists(), "nothing was migrated"


def test_a_dying_child_stops_the_launcher_with_its_log_tail(tmp_path):
    process = launcher(tmp_path / "home", free_port())
    try:
        wait_ready(process, tmp_path / "launcher.log")  # stderr is piped here
        parts = children_of(process.pid)
        assert len(parts) == 3, parts  # api-server, scheduler, dag-processor
        scheduler = next(
            p for p in parts if b"scheduler" in open(f"/proc/{p}/cmdline", "rb").read()
        )
        os.kill(scheduler, signal.SIGKILL)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == EXIT_CHILD_DIED
    assert b"scheduler exited with status -9" in stderr, stderr.decode()[-2000:]
    assert b"last lines of" in stderr
    deadline = time.monotonic() + 10
    while any(is_alive(p) for p in parts) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(is_alive(p) for p in parts), "the other parts were stopped"


def load_settings():
    """sandbox/airflow/settings.py (standard library only), loaded by path."""
    import importlib.util

    path = LAUNCHER.parent / "settings.py"
    spec = importlib.util.spec_from_file_location("sandbox_airflow_settings", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def test_the_password_file_and_secrets_are_private(tmp_path):
    settings = load_settings()
    old = tmp_path / "simple_auth_manager_passwords.json"
    old.write_text("{}")
    old.chmod(0o644)  # as an earlier version left it
    path = settings.passwords_file(tmp_path)
    assert path == old
    assert path.stat().st_mode & 0o777 == 0o600
    settings.secret(tmp_path, "jwt_secret")
    assert (tmp_path / ".jwt_secret").stat().st_mode & 0o777 == 0o600
