"""MWAA's web login route for the sandbox's Airflow 3 (loaded from the launcher's plugins folder).

    POST /pluginsv2/aws_mwaa/login   form field `token` = a WebToken from CreateWebLoginToken

as on Amazon MWAA with Airflow 3: the token is redeemed with the sandbox emulator that issued it
(POST <emulator>/platform-api/mwaa/login-tokens/verify; valid 60 s, once), then the response
sets the `_token` cookie to a JWT for that Airflow user, minted by Airflow's own auth manager
(so it is a Bearer token for /api/v2 too), and redirects to the UI (302 to /). An invalid,
expired or reused token answers 403. The emulator's URL comes from SANDBOX_EMULATOR_URL (set by
sandbox/airflow/launch.py --emulator-url); without it the route answers 503.

Airflow 3 reserves /pluginsv2 for Airflow 2 (Flask) plugins run through the FAB provider, so a
plugin cannot mount a FastAPI app there; this plugin is a root middleware instead, answering
exactly that path and method and passing every other request on.

Airflow 2's /aws_mwaa/login (a Flask session cookie) is not provided: the sandbox runs Airflow 3.
"""

from __future__ import annotations

import asyncio
import json
import os
import urllib.error
import urllib.parse
import urllib.request

from airflow.plugins_manager import AirflowPlugin
from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse

EMULATOR_URL_VARIABLE = "SANDBOX_EMULATOR_URL"
VERIFY_PATH = "/platform-api/mwaa/login-tokens/verify"
LOGIN_PATH = "/pluginsv2/aws_mwaa/login"
ROLE = "admin"


def redeem(emulator_url: str, token: str) -> str | None:
    """The Airflow user the emulator issued `token` for, or None if it refuses it."""
    request = urllib.request.Request(
        emulator_url.rstrip("/") + VERIFY_PATH,
        data=json.dumps({"token": token}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as response:
            return json.loads(response.read()).get("username")
    except urllib.error.HTTPError:
        return None


def jwt_for(username: str) -> str:
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    return get_auth_manager().generate_jwt(SimpleAuthManagerUser(username=username, role=ROLE))


async def login(request: Request):
    emulator_url = os.environ.get(EMULATOR_URL_VARIABLE)
    if not emulator_url:
        return JSONResponse({"detail": "no sandbox emulator configured"}, status_code=503)
    form = urllib.parse.parse_qs((await request.body()).decode("utf-8", errors="replace"))
    token = (form.get("token") or [""])[0]
    try:
        username = await asyncio.to_thread(redeem, emulator_url, token) if token else None
    except (urllib.error.URLError, OSError, ValueError) as error:
        return JSONResponse({"detail": f"the emulator did not answer: {error}"}, status_code=502)
    if username is None:
        return JSONResponse({"detail": "invalid or expired web login token"}, status_code=403)
    from airflow.api_fastapi.app import get_cookie_path
    from airflow.api_fastapi.auth.managers.base_auth_manager import COOKIE_NAME_JWT_TOKEN

    response = RedirectResponse(url="/", status_code=302)
    response.set_cookie(
        COOKIE_NAME_JWT_TOKEN,
        jwt_for(username),
        path=get_cookie_path(),
        httponly=True,
        samesite="lax",
    )
    return response


class MwaaLoginMiddleware:
    """ASGI middleware: POST LOGIN_PATH is the login, everything else goes to Airflow."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["path"] == LOGIN_PATH:
            if scope["method"] == "POST":
                response = await login(Request(scope, receive))
            else:
                response = JSONResponse({"detail": "Method Not Allowed"}, status_code=405)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class AwsMwaaLoginPlugin(AirflowPlugin):
    name = "aws_mwaa_login"
    fastapi_root_middlewares = [{"middleware": MwaaLoginMiddleware, "name": "aws_mwaa_login"}]
