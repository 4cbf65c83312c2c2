"""Run a real Airflow for the sandbox and the tests: the parts as supervised child processes.

    python sandbox/airflow/launch.py --home DIR --port PORT [--dags DIR] [--emulator-url URL]
                                     [--jwt-expiration SECONDS]

Run it with the Python of an Airflow venv: `.venv/airflow3/bin/python` (3.3.2) or
`.venv/airflow2/bin/python` (2.10.5); the version decides what starts.

- DIR becomes AIRFLOW_HOME (created if missing; SQLite database, logs, the children's logs in
  DIR/launcher/). Configuration is environment variables only (settings.py): everything on
  127.0.0.1, no examples, parallelism 4, log-server ports moved to free ports.
- `airflow db migrate`, then the children:
  Airflow 3: `api-server` (PORT), `scheduler --skip-serve-logs`, `dag-processor`; LocalExecutor;
  simple auth manager, user admin / password admin (pre-seeded passwords file); JWT from
  POST /auth/token; `--jwt-expiration` sets the JWT lifetime in seconds (default 86400).
  Airflow 2: `webserver` (1 worker; REST API /api/v1 with basic and session auth) and
  `scheduler --skip-serve-logs`; SequentialExecutor (SQLite); FAB user admin / admin.
- `--dags` defaults to the project's dags/. `--emulator-url URL` points the `aws_default`
  connection at the emulator ({"endpoint_url": URL, "region_name": "us-east-1"}, dummy keys)
  and sets every Variable prepare_data_nyc reads to the sandbox's seeded names (plus 5 s sensor
  timing Variables: 15 s sensor pokes, no retries), so the DAG runs against the emulator.
  Task logs then go to the emulator's CloudWatch as on MWAA (remote logging, group
  airflow-nyctaxi-sandbox-mwaa-Task), and the MWAA login route (plugins/) redeems web tokens
  there (Airflow 3).
- Prints exactly one line on stdout, `READY http://127.0.0.1:PORT`, once the health endpoint
  (3.x /api/v2/monitor/health, 2.x /health) reports the metadatabase and scheduler healthy
  (and on 3.x the dag-processor); progress and errors go to stderr.
- Then it supervises: SIGTERM or SIGINT stops every child (TERM to its process group, KILL after
  a grace period) and exits 0. A child that dies (before or after READY) gets its log tail
  printed to stderr; the others are stopped and the launcher exits 1 (2 for bad arguments,
  3 when not ready in time, 4 when PORT is already taken: nothing was started then).
- No orphans: every child has PR_SET_PDEATHSIG, so even a SIGKILL'd launcher takes its children
  down. A launcher started in its own session (setsid, as `platform-tui sandbox up` does) is a
  daemon; otherwise it also stops when its parent process dies.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import children  # noqa: E402  (sandbox/airflow/children.py)
import settings  # noqa: E402  (sandbox/airflow/settings.py)
from children import Child  # noqa: E402

EXIT_CHILD_DIED = 1
EXIT_NOT_READY = 3
EXIT_PORT_TAKEN = 4
READY_TIMEOUT = 300.0
MIGRATE_TIMEOUT = 300.0
STOP_GRACE = 15.0
POLL = 0.5

stopping: list[str] = []


def log(message: str) -> None:
    print(f"launch: {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> settings.Options:
    parser = argparse.ArgumentParser(
        description="Run Airflow's parts for the sandbox", epilog="See the module docstring."
    )
    parser.add_argument("--home", required=True, type=Path, help="AIRFLOW_HOME (created)")
    parser.add_argument("--port", required=True, type=int, help="api-server/webserver port")
    parser.add_argument("--dags", type=Path, default=settings.DEFAULT_DAGS, help="DAG folder")
    parser.add_argument("--emulator-url", help="sandbox emulator endpoint for aws_default")
    parser.add_argument("--jwt-expiration", type=int, help="Airflow 3 JWT lifetime (seconds)")
    args = parser.parse_args(argv)
    if not args.dags.is_dir():
        parser.error(f"--dags {args.dags}: not a directory")
    home = args.home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    return settings.Options(
        home=home,
        port=args.port,
        dags=args.dags.resolve(),
        emulator_url=args.emulator_url.rstrip("/") if args.emulator_url else None,
        jwt_expiration=args.jwt_expiration,
    )


def airflow_command(*args: str) -> list[str]:
    """`airflow ...` with this venv's interpreter (no reliance on PATH)."""
    return [sys.executable, "-m", "airflow", *args]


def part_commands(major: int) -> dict[str, list[str]]:
    if major >= 3:
        return {
            "api-server": airflow_command("api-server"),
            "scheduler": airflow_command("scheduler", "--skip-serve-logs"),
            "dag-processor": airflow_command("dag-processor"),
        }
    return {
        "webserver": airflow_command("webserver"),
        "scheduler": airflow_command("scheduler", "--skip-serve-logs"),
    }


def prepare_home(options: settings.Options, env: dict[str, str], major: int, log_dir: Path):
    """`airflow db migrate` (idempotent), and on Airflow 2 the admin user; None or the failure."""
    started = time.monotonic()
    failure = children.run_step(
        "db-migrate", airflow_command("db", "migrate"), env, log_dir, MIGRATE_TIMEOUT
    )
    if failure or major >= 3:
        log(f"database ready in {time.monotonic() - started:.1f} s")
        return failure
    marker = options.home / ".admin_user_created"
    if marker.exists():
        return None
    failure = children.run_step(
        "users-create",
        airflow_command(
            "users",
            "create",
            "--username",
            settings.ADMIN_USER,
            "--password",
            settings.ADMIN_PASSWORD,
            "--role",
            "Admin",
            "--firstname",
            "Sandbox",
            "--lastname",
            "Admin",
            "--email",
            "admin@example.com",
        ),  # fmt: skip
        env,
        log_dir,
        MIGRATE_TIMEOUT,
    )
    if failure is None:
        marker.touch()
    log(f"database and admin user ready in {time.monotonic() - started:.1f} s")
    return failure


def health_url(options: settings.Options, major: int) -> str:
    path = "/api/v2/monitor/health" if major >= 3 else "/health"
    return options.base_url + path


def is_healthy(url: str, major: int) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            health = json.load(response)
    except (OSError, ValueError, urllib.error.URLError):
        return False
    parts = ["metadatabase", "scheduler"] + (["dag_processor"] if major >= 3 else [])
    return all((health.get(part) or {}).get("status") == "healthy" for part in parts)


def install_stop_handlers() -> None:
    def handle(signum: int, _frame: object) -> None:
        stopping.append(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


def parent_watch():
    """A function telling whether the launcher should stop because its parent died: never for a
    session leader (a daemon started with setsid)."""
    if os.getsid(0) == os.getpid():
        return lambda: False
    parent = os.getppid()
    return lambda: os.getppid() != parent


def supervise(parts: list[Child], options: settings.Options, major: int) -> int:
    url = health_url(options, major)
    parent_died = parent_watch()
    deadline = time.monotonic() + READY_TIMEOUT
    started = time.monotonic()
    ready = False
    while not stopping:
        dead = [child for child in parts if child.exit_code() is not None]
        if dead:
            for child in dead:
                child.report_death()
            return EXIT_CHILD_DIED
        if parent_died():
            log("parent process died; stopping")
            return 0
        if not ready:
            if is_healthy(url, major):
                ready = True
                log(f"healthy after {time.monotonic() - started:.1f} s")
                print(f"READY {options.base_url}", flush=True)
            elif time.monotonic() > deadline:
                log(f"not healthy after {READY_TIMEOUT:.0f} s ({url})")
                for child in parts:
                    child.report_death()
                return EXIT_NOT_READY
        time.sleep(POLL)
    log(f"{stopping[0]} received; stopping")
    return 0


def main(argv: list[str] | None = None) -> int:
    os.umask(0o077)  # Airflow's home (database, config, logs, secrets) is its owner's only
    options = parse_args(argv)
    install_stop_handlers()
    major = settings.airflow_major()
    env = settings.environment(options, major)
    log_dir = options.home / "launcher"
    log_dir.mkdir(exist_ok=True)
    log(f"Airflow {settings.airflow_version()} in {options.home}, port {options.port}")
    if not settings.port_is_free(options.port):
        log(f"port {options.port} on 127.0.0.1 is already taken")
        return EXIT_PORT_TAKEN
    failure = prepare_home(options, env, major, log_dir)
    if failure:
        log(failure)
        return EXIT_CHILD_DIED
    parts: list[Child] = []
    try:
        for name, argv_ in part_commands(major).items():
            if stopping:
                break
            parts.append(Child.start(name, argv_, env, log_dir))
            log(f"started {name} (pid {parts[-1].process.pid}, log {parts[-1].log_file})")
        return supervise(parts, options, major) if not stopping else 0
    finally:
        children.stop_all(parts, STOP_GRACE)
        log("stopped")


if __name__ == "__main__":
    sys.exit(main())
