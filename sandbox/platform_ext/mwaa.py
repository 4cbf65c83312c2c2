"""Amazon MWAA for the sandbox: one environment, `nyctaxi-sandbox-mwaa`, backed by the sandbox's
real Airflow (moto 5.2.5 has no MWAA backend at all).

Calls (rest-json, shapes of botocore's mwaa 2020-07-01 model; timestamps in epoch seconds):
    GET  /environments              ListEnvironments
    GET  /environments/{Name}       GetEnvironment
    POST /webtoken/{Name}           CreateWebLoginToken  (a random token, 60 s, usable once)
    POST /restapi/{Name}            InvokeRestApi        (proxied to Airflow's REST API as admin)
A request is MWAA's when its SigV4 credential scope names the service `airflow` (both boto3 and
aws-sdk-rust sign so) and its path is one of these: moto routes by host and scope to its own
backends, so these requests are answered before moto sees them (as /platform-api/ is).
Hosts are not looked at: the SDKs' `api.` / `env.` host prefixes are the client's business.

Airflow registers itself through the control endpoint (`sandbox up` does it once Airflow is
healthy): POST /platform-api/mwaa/airflow {"url", "username", "password",
"web_token_seconds"? (60)}; DELETE forgets it (and every web token). Until then the
environment is CREATING, without WebserverUrl or AirflowVersion, and InvokeRestApi and
CreateWebLoginToken answer ValidationException. The login route inside Airflow
(sandbox/airflow/plugins/) checks a web token with POST /platform-api/mwaa/login-tokens/verify.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

from . import control
from .seeding import ACCOUNT_ID, REGION, SANDBOX_SUBNET_ID, PlatformNames

NAMES = PlatformNames()
ENVIRONMENT = NAMES.mwaa_environment
SIGNING_NAME = "airflow"
WEB_TOKEN_SECONDS = 60
REST_API_PATH_MAX = 64
REST_API_METHODS = ("GET", "PUT", "POST", "PATCH", "DELETE")
AIRFLOW_TIMEOUT = 30
# Refresh the admin JWT this long before Airflow says it expires.
TOKEN_MARGIN_SECONDS = 30

ROUTE = re.compile(
    r"^/(?:environments(?:/(?P<env>[^/]+))?|(?P<call>webtoken|restapi)/(?P<name>[^/]+))$"
)
CREATED_AT = time.time()


class MwaaError(Exception):
    """An AWS error answer: its type (x-amzn-ErrorType), HTTP status and JSON body."""

    def __init__(self, kind: str, status: int, body: dict[str, Any]) -> None:
        super().__init__(kind)
        self.kind, self.status, self.body = kind, status, body

    @classmethod
    def message(cls, kind: str, status: int, message: str) -> MwaaError:
        return cls(kind, status, {"message": message})


# --- the Airflow behind the environment ---------------------------------------------------


@dataclass
class Airflow:
    """The registered Airflow: REST API v2 with a JWT (3.x) or v1 with basic auth (2.x)."""

    url: str
    username: str
    password: str
    registered_at: float = field(default_factory=time.time)
    version: str = ""
    _token: str | None = None
    _token_expires: float = 0.0

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0]) if self.version else 3

    @property
    def api_prefix(self) -> str:
        return "/api/v2" if self.major >= 3 else "/api/v1"

    @property
    def host(self) -> str:
        """Host and port without scheme, as MWAA gives WebserverUrl and WebServerHostname."""
        return urllib.parse.urlsplit(self.url).netloc

    def discover_version(self) -> None:
        """Asks Airflow: API v2 with a JWT (3.x) first, then API v1 with basic auth (2.x)."""
        for api in ("3", "2"):
            self.version, self._token = api, None
            try:
                status, body = self.call("GET", "/version")
            except AirflowLoginRefused:
                continue  # no /auth/token: not Airflow 3
            if status == 200 and isinstance(body, dict) and body.get("version"):
                self.version = body["version"]
                return
        raise AirflowUnreachable(f"{self.url} answers /version on neither API v2 nor v1")

    def admin_jwt(self) -> str:
        """A JWT for the admin user from Airflow's own /auth/token (3.x), cached until near
        its expiry."""
        if self._token and time.time() < self._token_expires - TOKEN_MARGIN_SECONDS:
            return self._token
        status, body = self._http(
            "POST",
            self.url + "/auth/token",
            {"Content-Type": "application/json"},
            json.dumps({"username": self.username, "password": self.password}).encode(),
        )
        if status not in (200, 201) or not isinstance(body, dict) or "access_token" not in body:
            raise AirflowLoginRefused(status, body)
        self._token = body["access_token"]
        self._token_expires = jwt_expiry(self._token)
        return self._token

    def call(
        self, method: str, path: str, query: dict | None = None, body: Any = None
    ) -> tuple[int, Any]:
        """One REST API call as admin: (status, decoded JSON body or text)."""
        url = self.url + self.api_prefix + path
        if query:
            url += "?" + urllib.parse.urlencode(query, doseq=True)
        headers = {"Accept": "application/json"}
        if self.major >= 3:
            headers["Authorization"] = f"Bearer {self.admin_jwt()}"
        else:
            basic = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            headers["Authorization"] = f"Basic {basic}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        status, answer = self._http(method, url, headers, data)
        if status == 401 and self.major >= 3:
            self._token = None  # revoked or expired early: one fresh token, one retry
            headers["Authorization"] = f"Bearer {self.admin_jwt()}"
            status, answer = self._http(method, url, headers, data)
        return status, answer

    @staticmethod
    def _http(method: str, url: str, headers: dict, data: bytes | None) -> tuple[int, Any]:
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=AIRFLOW_TIMEOUT) as response:
                return response.status, decode(response.read())
        except urllib.error.HTTPError as error:
            return error.code, decode(error.read())
        except (urllib.error.URLError, OSError) as error:
            raise AirflowUnreachable(f"{url}: {error}") from error


class AirflowUnreachable(Exception):
    pass


class AirflowLoginRefused(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"Airflow refused the admin login ({status}): {body}")


def decode(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        return raw.decode("utf-8", errors="replace")


def jwt_expiry(token: str) -> float:
    """The `exp` claim of a JWT (not verified: it is only used to refresh in time)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return float(claims["exp"])
    except (IndexError, KeyError, TypeError, ValueError):
        return time.time() + 60


# --- state --------------------------------------------------------------------------------

_lock = threading.Lock()
_airflow: Airflow | None = None
_web_tokens: dict[str, float] = {}  # token -> expiry (epoch seconds)
_web_token_seconds = WEB_TOKEN_SECONDS


def register(url: str, username: str, password: str, web_token_seconds: float) -> Airflow:
    """Points the environment at an Airflow; its version is asked from Airflow itself."""
    global _airflow, _web_token_seconds
    airflow = Airflow(url.rstrip("/"), username, password)
    airflow.discover_version()
    with _lock:
        _airflow = airflow
        _web_token_seconds = web_token_seconds
    return airflow


def unregister() -> None:
    """Back to CREATING, and every web token forgotten."""
    global _airflow
    with _lock:
        _airflow = None
        _web_tokens.clear()


def registered() -> Airflow | None:
    with _lock:
        return _airflow


def issue_web_token() -> str:
    token = secrets.token_urlsafe(32)
    now = time.time()
    with _lock:
        for old in [t for t, expiry in _web_tokens.items() if expiry <= now]:
            del _web_tokens[old]
        _web_tokens[token] = now + _web_token_seconds
    return token


def redeem_web_token(token: str) -> bool:
    """True once for a token issued less than 60 s ago; it is spent either way."""
    with _lock:
        expiry = _web_tokens.pop(token, None)
    return expiry is not None and time.time() < expiry


# --- the MWAA API -------------------------------------------------------------------------


def handles(environ: dict[str, Any]) -> bool:
    return bool(ROUTE.match(environ.get("PATH_INFO", ""))) and signing_name(environ) == SIGNING_NAME


def signing_name(environ: dict[str, Any]) -> str | None:
    """The service of the SigV4 scope: Credential=AKID/date/region/SERVICE/aws4_request."""
    match = re.search(
        r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", environ.get("HTTP_AUTHORIZATION", "")
    )
    return match.group(1) if match else None


def application(environ: dict[str, Any], start_response: Any) -> Any:
    request = Request(environ)
    match = ROUTE.match(request.path)
    try:
        if match["call"] is None:
            if request.method != "GET":
                raise MwaaError.message("ValidationException", 405, f"{request.method} not allowed")
            body = get_environment(match["env"]) if match["env"] else list_environments()
        else:
            if request.method != "POST":
                raise MwaaError.message("ValidationException", 405, f"{request.method} not allowed")
            check_environment(match["name"])
            if match["call"] == "webtoken":
                body = create_web_login_token(request)
            else:
                body = invoke_rest_api(request_json(request))
        response = aws_response(body)
    except MwaaError as error:
        response = aws_response(error.body, error.status, error.kind)
    return response(environ, start_response)


def aws_response(body: dict[str, Any], status: int = 200, error: str | None = None) -> Response:
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    response.headers["x-amzn-RequestId"] = secrets.token_hex(16)
    if error:
        response.headers["x-amzn-ErrorType"] = error
    return response


def request_json(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(request.get_data() or b"{}")
    except ValueError as error:
        raise MwaaError.message("ValidationException", 400, f"body is not JSON: {error}") from error
    if not isinstance(body, dict):
        raise MwaaError.message("ValidationException", 400, "body must be a JSON object")
    return body


def check_environment(name: str) -> None:
    if urllib.parse.unquote(name) != ENVIRONMENT:
        raise MwaaError.message(
            "ResourceNotFoundException", 404, f"Environment {urllib.parse.unquote(name)} not found"
        )


def list_environments() -> dict[str, Any]:
    return {"Environments": [ENVIRONMENT]}


def get_environment(name: str) -> dict[str, Any]:
    check_environment(name)
    return {"Environment": environment(registered())}


def environment(airflow: Airflow | None) -> dict[str, Any]:
    """The environment as infra/modules/mwaa creates it, for the sandbox's names."""
    prefix = NAMES.prefix
    updated = airflow.registered_at if airflow else CREATED_AT
    env: dict[str, Any] = {
        "Name": ENVIRONMENT,
        "Arn": f"arn:aws:airflow:{REGION}:{ACCOUNT_ID}:environment/{ENVIRONMENT}",
        "Status": "AVAILABLE" if airflow else "CREATING",
        "CreatedAt": CREATED_AT,
        "ExecutionRoleArn": NAMES.role_arn("mwaa"),
        "ServiceRoleArn": (
            f"arn:aws:iam::{ACCOUNT_ID}:role/aws-service-role/airflow.amazonaws.com/"
            "AWSServiceRoleForAmazonMWAA"
        ),
        "SourceBucketArn": f"arn:aws:s3:::{prefix}-mwaa",
        "DagS3Path": "dags/",
        "RequirementsS3Path": "requirements.txt",
        "AirflowConfigurationOptions": {"core.load_examples": "false"},
        "EnvironmentClass": "mw1.small",
        "MinWorkers": 1,
        "MaxWorkers": 2,
        "Schedulers": 2,
        "MinWebservers": 2,
        "MaxWebservers": 2,
        "WebserverAccessMode": "PRIVATE_ONLY",
        "EndpointManagement": "SERVICE",
        "WeeklyMaintenanceWindowStart": "SUN:03:30",
        "NetworkConfiguration": {
            "SubnetIds": [SANDBOX_SUBNET_ID],
            "SecurityGroupIds": ["sg-0a1b2c3d4e5f60000"],
        },
        "LoggingConfiguration": logging_configuration(),
        "LastUpdate": {
            "Status": "SUCCESS" if airflow else "PENDING",
            "CreatedAt": updated,
            "Source": "SANDBOX",
        },
        "Tags": {"project": "nyctaxi", "env": "sandbox", "managed-by": "platform-tui sandbox"},
    }
    if airflow:
        env["AirflowVersion"] = airflow.version
        env["WebserverUrl"] = airflow.host
    return env


def logging_configuration() -> dict[str, Any]:
    modules = {
        "TaskLogs": ("Task", "INFO"),
        "SchedulerLogs": ("Scheduler", "WARNING"),
        "DagProcessingLogs": ("DAGProcessing", "WARNING"),
        "WebserverLogs": ("WebServer", "WARNING"),
        "WorkerLogs": ("Worker", "WARNING"),
    }
    return {
        key: {
            "CloudWatchLogGroupArn": NAMES.mwaa_log_group_arn(module),
            "Enabled": True,
            "LogLevel": level,
        }
        for key, (module, level) in modules.items()
    }


def available_airflow() -> Airflow:
    airflow = registered()
    if airflow is None:
        raise MwaaError.message(
            "ValidationException",
            400,
            f"Environment {ENVIRONMENT} is CREATING: its web server is not available yet",
        )
    return airflow


def create_web_login_token(request: Request) -> dict[str, Any]:
    airflow = available_airflow()
    return {
        "WebToken": issue_web_token(),
        "WebServerHostname": airflow.host,
        "IamIdentity": caller_identity(request),
        "AirflowIdentity": airflow.username,
    }


def caller_identity(request: Request) -> str:
    match = re.search(r"Credential=([^/]+)/", request.headers.get("Authorization", ""))
    user = match.group(1) if match else "sandbox"
    return f"arn:aws:iam::{ACCOUNT_ID}:user/{user}"


def invoke_rest_api(body: dict[str, Any]) -> dict[str, Any]:
    path, method = body.get("Path"), body.get("Method")
    if not isinstance(path, str) or not path:
        raise MwaaError.message("ValidationException", 400, "Path is required")
    if len(path) > REST_API_PATH_MAX:
        raise MwaaError.message(
            "ValidationException",
            400,
            "1 validation error detected: Value at 'path' failed to satisfy constraint: "
            f"Member must have length less than or equal to {REST_API_PATH_MAX}",
        )
    if method not in REST_API_METHODS:
        raise MwaaError.message(
            "ValidationException",
            400,
            f"Method must be one of {', '.join(REST_API_METHODS)}, got {method!r}",
        )
    airflow = available_airflow()
    query = body.get("QueryParameters")
    if query is not None and not isinstance(query, dict):
        raise MwaaError.message("ValidationException", 400, "QueryParameters must be an object")
    try:
        status, answer = airflow.call(method, "/" + path.lstrip("/"), query, body.get("Body"))
    except (AirflowUnreachable, AirflowLoginRefused) as error:
        raise MwaaError.message("InternalServerException", 500, str(error)) from error
    result = {"RestApiStatusCode": status, "RestApiResponse": answer}
    if 400 <= status < 500:
        raise MwaaError("RestApiClientException", 400, result)
    if status >= 500:
        raise MwaaError("RestApiServerException", 400, result)
    return result


# --- control endpoint handlers (http_api routes them under /platform-api/mwaa/) ------------


def register_route(body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    missing = [key for key in ("url", "username", "password") if not body.get(key)]
    if missing:
        raise control.ControlError(f"missing {', '.join(missing)}")
    seconds = body.get("web_token_seconds", WEB_TOKEN_SECONDS)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0:
        raise control.ControlError(
            f"'web_token_seconds' must be a positive number, got {seconds!r}"
        )
    try:
        airflow = register(body["url"], body["username"], body["password"], float(seconds))
    except (AirflowUnreachable, AirflowLoginRefused) as error:
        raise control.ControlError(f"cannot use that Airflow: {error}") from error
    return {"environment": ENVIRONMENT, "url": airflow.url, "version": airflow.version}, 201


def unregister_route() -> tuple[dict[str, Any], int]:
    unregister()
    return {"environment": ENVIRONMENT, "status": "CREATING"}, 200


def registration_route() -> tuple[dict[str, Any], int]:
    airflow = registered()
    if airflow is None:
        return {"environment": ENVIRONMENT, "status": "CREATING"}, 200
    return {
        "environment": ENVIRONMENT,
        "status": "AVAILABLE",
        "url": airflow.url,
        "version": airflow.version,
    }, 200


def verify_route(body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    token = body.get("token")
    airflow = registered()
    if not isinstance(token, str) or airflow is None or not redeem_web_token(token):
        return {"error": "the web login token is invalid, expired or already used"}, 403
    return {"username": airflow.username}, 200
