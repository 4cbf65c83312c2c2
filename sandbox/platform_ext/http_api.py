"""The sandbox's control endpoint, served by the emulator next to moto's /moto-api/.

    GET    /platform-api/                 what this endpoint offers
    POST   /platform-api/inject           {"target", "name"?, "message"?, "count"?}  -> 201
    GET    /platform-api/injections       {"injections": [...]}
    DELETE /platform-api/injections       ?target=... to clear one target only -> {"cleared": n}
    POST   /platform-api/timing           {"target", "seconds"?, "startup_seconds"?, "name"?}
                                          (glue-job, emr-step: startup_seconds only)
    GET    /platform-api/timing           {"timings": [...]}
    POST   /platform-api/reset            injections and timings back to defaults
    POST   /platform-api/mwaa/airflow     {"url", "username", "password", "web_token_seconds"?}:
                                          the Airflow behind the MWAA environment (mwaa.py)
                                          -> 201 {"version", ...}; DELETE: back to CREATING
    GET    /platform-api/mwaa/airflow     {"status": "CREATING" | "AVAILABLE", "url"?, "version"?}
    POST   /platform-api/mwaa/login-tokens/verify  {"token"}: redeems a CreateWebLoginToken token
                                          -> 200 {"username"} or 403 (invalid, expired, used)

Every request needs the sandbox's control token in the header X-Platform-Api-Token (the
emulator reads it from PLATFORM_API_TOKEN at start; `platform-tui sandbox up` makes a new one
per sandbox and keeps it, 0600, in the state dir as control.token), except the login-token
check, whose one-time token is its own credential. Without it: 403, and nothing is done.

Targets: glue-job (name = job name), glue-crawler (crawler name), emr-step (step name or
cluster id), redshift-sql (cluster identifier or workgroup). Without a name, the next run of
any of that target fails. Errors answer 400/404/405 with {"error": "..."}.
"""

from __future__ import annotations

import hmac
import json
import os
from typing import Any

from werkzeug.wrappers import Request, Response

from . import control, mwaa

PREFIX = "/platform-api"
TOKEN_VARIABLE = "PLATFORM_API_TOKEN"
TOKEN_HEADER = "X-Platform-Api-Token"
# Redeeming a web login token (the Airflow login plugin): the one-time token is the credential.
OPEN_ROUTES = {("POST", "/mwaa/login-tokens/verify")}


def refusal(request: Request, route: tuple[str, str]) -> str | None:
    """Why `request` may not use the control API, or None if it may."""
    if route in OPEN_ROUTES:
        return None
    expected = os.environ.get(TOKEN_VARIABLE, "")
    if not expected:
        return f"the control API is locked: the emulator was started without {TOKEN_VARIABLE}"
    given = request.headers.get(TOKEN_HEADER, "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return (
            f"missing or wrong {TOKEN_HEADER}: the sandbox's control token is in its state "
            "directory (control.token)"
        )
    return None


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, indent=1), status=status, mimetype="application/json")


def body_of(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(request.get_data() or b"{}")
    except json.JSONDecodeError as error:
        raise control.ControlError(f"the body is not JSON: {error}") from error
    if not isinstance(body, dict):
        raise control.ControlError("the body must be a JSON object")
    return body


def number(body: dict[str, Any], key: str, required: bool = True) -> float | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise control.ControlError(f"{key!r} must be a number of seconds, got {value!r}")
    return float(value)


def inject(request: Request) -> Response:
    body = body_of(request)
    count = body.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool):
        raise control.ControlError(f"'count' must be an integer, got {count!r}")
    injection = control.inject(body.get("target"), body.get("name"), body.get("message"), count)
    return json_response({"injection": injection.__dict__}, 201)


def timing(request: Request) -> Response:
    body = body_of(request)
    value = control.set_timing(
        body.get("target"),
        number(body, "seconds", required=False),
        number(body, "startup_seconds", required=False),
        body.get("name"),
    )
    return json_response(
        {
            "target": body["target"],
            "name": body.get("name"),
            "startup_seconds": value.startup,
            "seconds": value.run,
        }
    )


def clear(request: Request) -> Response:
    target = request.args.get("target")
    if target is not None:
        control.check_target(target)
    return json_response({"cleared": control.clear_injections(target)})


def reset(_request: Request) -> Response:
    control.reset()
    return json_response({"reset": True})


def describe(_request: Request) -> Response:
    return json_response({"targets": list(control.TARGETS), "usage": __doc__})


ROUTES = {
    ("GET", ""): describe,
    ("GET", "/"): describe,
    ("POST", "/inject"): inject,
    ("GET", "/injections"): lambda _r: json_response({"injections": control.injections()}),
    ("DELETE", "/injections"): clear,
    ("POST", "/timing"): timing,
    ("GET", "/timing"): lambda _r: json_response({"timings": control.timings()}),
    ("POST", "/reset"): reset,
    ("POST", "/mwaa/airflow"): lambda r: json_response(*mwaa.register_route(body_of(r))),
    ("GET", "/mwaa/airflow"): lambda _r: json_response(*mwaa.registration_route()),
    ("DELETE", "/mwaa/airflow"): lambda _r: json_response(*mwaa.unregister_route()),
    ("POST", "/mwaa/login-tokens/verify"): lambda r: json_response(*mwaa.verify_route(body_of(r))),
}


def handles(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def application(environ: dict[str, Any], start_response: Any) -> Any:
    request = Request(environ)
    path = request.path[len(PREFIX) :]
    handler = ROUTES.get((request.method, path))
    denied = refusal(request, (request.method, path))
    if denied is not None:
        response = json_response({"error": denied}, 403)
    elif handler is None:
        known = any(p == path for _, p in ROUTES)
        status = 405 if known else 404
        response = json_response({"error": f"no {request.method} {request.path}"}, status)
    else:
        try:
            response = handler(request)
        except control.ControlError as error:
            response = json_response({"error": str(error)}, 400)
    return response(environ, start_response)
