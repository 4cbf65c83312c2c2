"""The emulator's MWAA API (sandbox/platform_ext/mwaa.py) with boto3, and the MWAA login route in
Airflow (sandbox/airflow/plugins/aws_mwaa_login.py).

The first tests need only the emulator (environment CREATING, validation, unknown names). The
rest run against a real Airflow 3 started by sandbox/airflow/launch.py (the `airflow` fixture,
~20 s) and registered with the emulator the way `platform-tui sandbox up` does it.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from launched_airflow import LaunchedAirflow, launch_airflow

ENV = "nyctaxi-sandbox-mwaa"
TASK_LOG_GROUP_ARN = (
    "arn:aws:logs:us-east-1:123456789012:log-group:airflow-nyctaxi-sandbox-mwaa-Task"
)


def mwaa_client(endpoint: str):
    """As an MWAA client is used against the sandbox: no host prefixes (`api.`, `env.`), and no
    client-side validation, so the server's own checks (64-character path) are what is tested."""
    return boto3.client(
        "mwaa",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="sandbox",
        aws_secret_access_key="sandbox",
        config=Config(
            inject_host_prefix=False,
            parameter_validation=False,
            retries={"max_attempts": 1},
        ),
    )


def error_of(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post_login(hostname: str, token: str) -> tuple[int, dict[str, str]]:
    """POST the web token to the login route: (status, headers), redirects not followed."""
    opener = urllib.request.build_opener(NoRedirects, urllib.request.ProxyHandler({}))
    request = urllib.request.Request(
        f"http://{hostname}/pluginsv2/aws_mwaa/login",
        data=urllib.parse.urlencode({"token": token}).encode(),
        method="POST",
    )
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def bearer_get(url: str, token: str) -> tuple[int, dict]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {}


def jwt_claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


# --- without Airflow ----------------------------------------------------------------------


@pytest.fixture
def unregistered(sandbox):
    sandbox.control("DELETE", "/mwaa/airflow")
    return sandbox


def test_the_environment_is_listed_and_creating_until_airflow_registers(unregistered):
    mwaa = mwaa_client(unregistered.endpoint)
    assert mwaa.list_environments()["Environments"] == [ENV]
    environment = mwaa.get_environment(Name=ENV)["Environment"]
    assert environment["Status"] == "CREATING"
    assert environment["Name"] == ENV
    assert environment["Arn"] == f"arn:aws:airflow:us-east-1:123456789012:environment/{ENV}"
    assert "WebserverUrl" not in environment and "AirflowVersion" not in environment
    assert environment["LoggingConfiguration"]["TaskLogs"]["CloudWatchLogGroupArn"] == (
        TASK_LOG_GROUP_ARN
    )
    for call in (mwaa.create_web_login_token, mwaa.invoke_rest_api):
        kwargs = {"Name": ENV}
        if call == mwaa.invoke_rest_api:
            kwargs.update(Path="/dags", Method="GET")
        error = error_of(call, **kwargs)
        assert error["Error"]["Code"] == "ValidationException"
        assert "CREATING" in error["Error"]["Message"]
    assert unregistered.control("GET", "/mwaa/airflow")["status"] == "CREATING"


def test_an_unknown_environment_is_not_found(unregistered):
    mwaa = mwaa_client(unregistered.endpoint)
    for call, kwargs in (
        (mwaa.get_environment, {}),
        (mwaa.create_web_login_token, {}),
        (mwaa.invoke_rest_api, {"Path": "/dags", "Method": "GET"}),
    ):
        error = error_of(call, Name="other-env", **kwargs)
        assert error["Error"]["Code"] == "ResourceNotFoundException"
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 404
        assert "other-env" in error["Error"]["Message"]


def test_a_path_over_64_characters_is_refused_as_aws_does(unregistered):
    mwaa = mwaa_client(unregistered.endpoint)
    path = "/dags/prepare_data_nyc/dagRuns/manual__2026-01-01T00:00:00+00:00/x"
    assert len(path) > 64
    error = error_of(mwaa.invoke_rest_api, Name=ENV, Path=path, Method="GET")
    assert error["Error"]["Code"] == "ValidationException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "less than or equal to 64" in error["Error"]["Message"]
    bad_method = error_of(mwaa.invoke_rest_api, Name=ENV, Path="/dags", Method="HEAD")
    assert bad_method["Error"]["Code"] == "ValidationException"


def test_registration_needs_a_reachable_airflow(unregistered):
    status, answer = unregistered.call(
        "POST", "/platform-api/mwaa/airflow", {"url": "http://127.0.0.1:9"}
    )
    assert status == 400 and "username" in answer["error"]
    status, answer = unregistered.call(
        "POST",
        "/platform-api/mwaa/airflow",
        {"url": "http://127.0.0.1:9", "username": "admin", "password": "admin"},
    )
    assert status == 400 and "cannot use that Airflow" in answer["error"]


def test_an_unknown_web_token_is_refused_by_the_verify_route(unregistered):
    status, answer = unregistered.call(
        "POST", "/platform-api/mwaa/login-tokens/verify", {"token": "nope"}
    )
    assert status == 403 and "invalid" in answer["error"]


# --- with a real Airflow 3 ----------------------------------------------------------------


@pytest.fixture(scope="module")
def airflow(emulator, tmp_path_factory) -> LaunchedAirflow:
    with launch_airflow(tmp_path_factory.mktemp("airflow"), emulator.endpoint) as launched:
        yield launched


@pytest.fixture
def registered(sandbox, airflow):
    """The emulator with the Airflow registered; web tokens valid 60 s (as on AWS)."""
    sandbox.control("POST", "/mwaa/airflow", airflow.registration())
    return sandbox


def test_get_environment_describes_the_registered_airflow(registered, airflow):
    environment = mwaa_client(registered.endpoint).get_environment(Name=ENV)["Environment"]
    assert environment["Status"] == "AVAILABLE"
    assert environment["AirflowVersion"] == airflow.version()
    assert environment["WebserverUrl"] == f"127.0.0.1:{airflow.port}"
    task_logs = environment["LoggingConfiguration"]["TaskLogs"]
    assert task_logs == {
        "CloudWatchLogGroupArn": TASK_LOG_GROUP_ARN,
        "Enabled": True,
        "LogLevel": "INFO",
    }
    assert environment["LastUpdate"]["Status"] == "SUCCESS"
    assert environment["LastUpdate"]["CreatedAt"].timestamp() <= time.time()
    assert environment["ExecutionRoleArn"].endswith(":role/nyctaxi-sandbox-mwaa")


def test_the_web_login_token_gives_a_jwt_once(registered, airflow):
    mwaa = mwaa_client(registered.endpoint)
    answer = mwaa.create_web_login_token(Name=ENV)
    assert answer["WebServerHostname"] == f"127.0.0.1:{airflow.port}"
    assert answer["AirflowIdentity"] == "admin"
    assert answer["IamIdentity"] == "arn:aws:iam::123456789012:user/sandbox"

    status, headers = post_login(answer["WebServerHostname"], answer["WebToken"])
    assert status == 302 and headers["location"] == "/", (status, headers)
    cookie = headers["set-cookie"]
    assert cookie.startswith("_token="), cookie
    jwt = cookie.split(";")[0].removeprefix("_token=")
    assert jwt_claims(jwt)["sub"] == "admin"
    status, dags = bearer_get(f"{airflow.url}/api/v2/dags", jwt)
    assert status == 200 and "prepare_data_nyc" in [d["dag_id"] for d in dags["dags"]]

    assert post_login(answer["WebServerHostname"], answer["WebToken"])[0] == 403, "used twice"
    assert post_login(answer["WebServerHostname"], "forged-token")[0] == 403


def test_a_web_login_token_expires(registered, airflow):
    registered.control("POST", "/mwaa/airflow", airflow.registration(web_token_seconds=1))
    token = mwaa_client(registered.endpoint).create_web_login_token(Name=ENV)["WebToken"]
    time.sleep(1.5)
    assert post_login(f"127.0.0.1:{airflow.port}", token)[0] == 403


def test_invoke_rest_api_proxies_to_airflow_as_admin(registered):
    mwaa = mwaa_client(registered.endpoint)
    listed = mwaa.invoke_rest_api(
        Name=ENV, Path="/dags", Method="GET", QueryParameters={"dag_id_pattern": "prepare"}
    )
    assert listed["RestApiStatusCode"] == 200
    assert [d["dag_id"] for d in listed["RestApiResponse"]["dags"]] == ["prepare_data_nyc"]

    for paused in (False, True):
        patched = mwaa.invoke_rest_api(
            Name=ENV, Path="/dags/prepare_data_nyc", Method="PATCH", Body={"is_paused": paused}
        )
        assert patched["RestApiStatusCode"] == 200
        assert patched["RestApiResponse"]["is_paused"] is paused


def test_an_airflow_client_error_is_a_rest_api_client_exception(registered):
    error = error_of(
        mwaa_client(registered.endpoint).invoke_rest_api,
        Name=ENV,
        Path="/dags/no_such_dag",
        Method="GET",
    )
    assert error["Error"]["Code"] == "RestApiClientException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["RestApiStatusCode"] == 404
    assert "no_such_dag" in error["RestApiResponse"]["detail"]


class FailingAirflow(BaseHTTPRequestHandler):
    """An Airflow whose API answers 500 after a normal login, to check the server-error shape
    (Airflow itself has no reliable way to fail with a 5xx)."""

    def do_POST(self) -> None:  # /auth/token
        self.answer(201, {"access_token": "x.eyJleHAiOiA0MTAyNDQ0ODAwfQ.x"})

    def do_GET(self) -> None:
        if self.path == "/api/v2/version":
            self.answer(200, {"version": "3.3.2"})
        else:
            self.answer(500, {"detail": "Internal Server Error"})

    def answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


def test_an_airflow_server_error_is_a_rest_api_server_exception(sandbox):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FailingAirflow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        sandbox.control(
            "POST", "/mwaa/airflow", {"url": url, "username": "admin", "password": "admin"}
        )
        error = error_of(
            mwaa_client(sandbox.endpoint).invoke_rest_api, Name=ENV, Path="/dags", Method="GET"
        )
    finally:
        server.shutdown()
        sandbox.control("DELETE", "/mwaa/airflow")
    assert error["Error"]["Code"] == "RestApiServerException"
    assert error["RestApiStatusCode"] == 500
    assert error["RestApiResponse"] == {"detail": "Internal Server Error"}
