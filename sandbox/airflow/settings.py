"""Airflow's configuration for the sandbox, as environment variables (nothing is written to
airflow.cfg): everything on 127.0.0.1, no examples, parallelism 4, log-server ports moved to
free ports, and the parts each major version needs (../shared/ENVIRONMENT.md measured them).

With an emulator URL, the `aws_default` connection and the Variables prepare_data_nyc reads are
environment variables too (AIRFLOW_CONN_AWS_DEFAULT, AIRFLOW_VAR_<NAME>): Airflow reads them
before its database, in the scheduler, the api-server and every task, on Airflow 2 and 3.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

SANDBOX_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = SANDBOX_DIR.parent
DEFAULT_DAGS = PROJECT_DIR / "dags"
PLUGINS_DIR = Path(__file__).resolve().parent / "plugins"

ADMIN_USER = "admin"
ADMIN_PASSWORD = "admin"
REGION = "us-east-1"

# The DAG's timing Variables (production values are its defaults): short sensor intervals, and
# no retry, so an injected failure (`platform-tui sandbox fail glue-job`) fails the task at once
# instead of being retried into success. Not below 15 s: Airflow 3.3's task supervisor reports
# a finished try ~5 s after the task ends, and a reschedule due before that report makes the
# scheduler fail the sensor ("finished with state success, but the task instance's state is
# queued").
SANDBOX_VARIABLES = {
    "s3_sensor_poke_interval_seconds": "15",
    "emr_step_sensor_poke_interval_seconds": "15",
    "glue_job_poll_interval_seconds": "2",
    "redshift_poll_interval_seconds": "2",
    "task_retries": "0",
    "task_retry_delay_seconds": "5",
}

PROXY_VARIABLES = (
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def airflow_major() -> int:
    import airflow

    return int(airflow.__version__.split(".")[0])


def airflow_version() -> str:
    import airflow

    return airflow.__version__


def platform_names():
    """sandbox/platform_ext/seeding.py's PlatformNames, loaded by path: the package itself imports
    moto, which the Airflow venvs do not have."""
    path = SANDBOX_DIR / "platform_ext" / "seeding.py"
    spec = importlib.util.spec_from_file_location("sandbox_platform_seeding", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module.PlatformNames()


@dataclass(frozen=True)
class Options:
    home: Path
    port: int
    dags: Path = DEFAULT_DAGS
    emulator_url: str | None = None
    jwt_expiration: int | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def environment(options: Options, major: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES}
    # Airflow 2's executors run tasks as `airflow tasks run ...`: this venv's `airflow` first.
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([venv_bin, env.get("PATH", "")])
    env.update(common_settings(options))
    env.update(airflow3_settings(options) if major >= 3 else airflow2_settings(options))
    if options.emulator_url:
        env.update(emulator_settings(options.emulator_url))
    return env


def common_settings(options: Options) -> dict[str, str]:
    home = options.home
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(options.dags),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST": "127.0.0.1",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
    }


def airflow3_settings(options: Options) -> dict[str, str]:
    settings = {
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PLUGINS_DIR),  # MWAA's login route (FastAPI)
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__AUTH_MANAGER": (
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
        ),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN_USER}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords_file(options.home)),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{options.base_url}/execution/",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(options.port),
        "AIRFLOW__API__BASE_URL": options.base_url,
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API__SECRET_KEY": secret(options.home, "api_secret_key"),
        "AIRFLOW__API_AUTH__JWT_SECRET": secret(options.home, "jwt_secret"),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
    }
    if options.jwt_expiration is not None:
        settings["AIRFLOW__API_AUTH__JWT_EXPIRATION_TIME"] = str(options.jwt_expiration)
    return settings


def airflow2_settings(options: Options) -> dict[str, str]:
    # SQLite allows only the SequentialExecutor on Airflow 2 (LocalExecutor needs Postgres/MySQL).
    return {
        "AIRFLOW__CORE__EXECUTOR": "SequentialExecutor",
        "AIRFLOW__WEBSERVER__WEB_SERVER_HOST": "127.0.0.1",
        "AIRFLOW__WEBSERVER__WEB_SERVER_PORT": str(options.port),
        "AIRFLOW__WEBSERVER__BASE_URL": options.base_url,
        "AIRFLOW__WEBSERVER__WORKERS": "1",
        "AIRFLOW__WEBSERVER__SECRET_KEY": secret(options.home, "webserver_secret_key"),
        "AIRFLOW__API__AUTH_BACKENDS": (
            "airflow.api.auth.backend.basic_auth,airflow.api.auth.backend.session"
        ),
        "AIRFLOW__SCHEDULER__DAG_DIR_LIST_INTERVAL": "5",
    }


def emulator_settings(emulator_url: str) -> dict[str, str]:
    connection = {
        "conn_type": "aws",
        "login": "sandbox-access-key-id",
        "password": "sandbox-secret-access-key",
        "extra": {"endpoint_url": emulator_url, "region_name": REGION},
    }
    names = platform_names()
    variables = {**names.airflow_variables(), **SANDBOX_VARIABLES}
    settings = {
        "SANDBOX_EMULATOR_URL": emulator_url,  # plugins/aws_mwaa_login.py redeems tokens there
        "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(connection),
        # The job-flow spec is the DAG's job_flow_overrides; the connection only has to exist.
        "AIRFLOW_CONN_EMR_DEFAULT": json.dumps({"conn_type": "emr"}),
        # Task logs in the emulator's CloudWatch, as MWAA keeps them (group airflow-<env>-Task,
        # stream dag_id=.../run_id=.../task_id=.../attempt=N.log with ':' as '_').
        "AIRFLOW__LOGGING__REMOTE_LOGGING": "True",
        "AIRFLOW__LOGGING__REMOTE_BASE_LOG_FOLDER": "cloudwatch://"
        + names.mwaa_log_group_arn("Task"),
        "AIRFLOW__LOGGING__REMOTE_LOG_CONN_ID": "aws_default",
    }
    settings.update({f"AIRFLOW_VAR_{name.upper()}": value for name, value in variables.items()})
    return settings


def write_private(path: Path, text: str) -> None:
    """Writes `text` to `path`, readable by its owner only (0600) from the first byte on."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an existing file keeps its old mode through os.open
    with os.fdopen(descriptor, "w") as file:
        file.write(text)


def passwords_file(home: Path) -> Path:
    """The simple auth manager's users file, pre-seeded so the password is known (admin)."""
    path = home / "simple_auth_manager_passwords.json"
    write_private(path, json.dumps({ADMIN_USER: ADMIN_PASSWORD}))
    return path


def secret(home: Path, name: str) -> str:
    """A random secret kept in the home, so tokens and sessions survive a restart."""
    path = home / f".{name}"
    if not path.exists():
        write_private(path, secrets.token_urlsafe(32))
    return path.read_text().strip()
