"""The /platform-api/ control endpoint: injections, timings, validation, reset."""

from __future__ import annotations


def test_inject_list_and_clear(sandbox):
    status, created = sandbox.call(
        "POST", "/platform-api/inject", {"target": "emr-step", "name": "aggregate", "count": 2}
    )
    assert status == 201
    assert created["injection"]["remaining"] == 2
    assert created["injection"]["message"].startswith("Injected failure")
    sandbox.inject("glue-job", "boom")

    listed = sandbox.control("GET", "/injections")["injections"]
    assert [(i["target"], i["name"]) for i in listed] == [
        ("emr-step", "aggregate"),
        ("glue-job", None),
    ]
    assert sandbox.control("DELETE", "/injections?target=glue-job") == {"cleared": 1}
    assert sandbox.control("DELETE", "/injections") == {"cleared": 1}
    assert sandbox.control("GET", "/injections") == {"injections": []}


def test_bad_requests_are_refused_with_a_reason(sandbox):
    status, answer = sandbox.call("POST", "/platform-api/inject", {"target": "lambda"})
    assert status == 400
    assert "unknown target 'lambda'" in answer["error"]
    status, answer = sandbox.call("POST", "/platform-api/timing", {"target": "glue-crawler"})
    assert (status, answer["error"]) == (400, "'seconds' is required for glue-crawler")
    status, answer = sandbox.call(
        "POST", "/platform-api/timing", {"target": "glue-crawler", "seconds": "5"}
    )
    assert (status, answer["error"]) == (400, "'seconds' must be a number of seconds, got '5'")
    status, answer = sandbox.call(
        "POST", "/platform-api/timing", {"target": "emr-step", "seconds": 5}
    )
    assert status == 400
    assert answer["error"] == (
        "emr-step runs last as long as their script runs: set only 'startup_seconds'"
    )
    status, _ = sandbox.call("GET", "/platform-api/nothing-here")
    assert status == 404
    status, _ = sandbox.call("PUT", "/platform-api/inject", {})
    assert status == 405


def test_timings_have_defaults_can_be_set_and_reset_with_moto(sandbox):
    defaults = {t["target"]: t for t in sandbox.control("GET", "/timing")["timings"]}
    assert set(defaults) == {"glue-job", "glue-crawler", "emr-step", "redshift-sql"}

    assert defaults["emr-step"]["seconds"] is None  # a step runs as long as its script
    sandbox.timing("emr-step", startup=0.5, name="aggregate")
    sandbox.timing("glue-crawler", seconds=2.5, startup=0)
    timings = sandbox.control("GET", "/timing")["timings"]
    assert {"target": "emr-step", "name": "aggregate", "startup_seconds": 0.5, "seconds": None} in (
        timings
    )
    assert {"target": "glue-crawler", "name": None, "startup_seconds": 0, "seconds": 2.5} in (
        timings
    )
    sandbox.inject("glue-job", "boom")

    sandbox.reset()  # POST /moto-api/reset forgets them too
    assert len(sandbox.control("GET", "/timing")["timings"]) == 4
    assert sandbox.control("GET", "/injections")["injections"] == []


def test_the_control_api_needs_the_sandbox_token(sandbox):
    for token in (None, "", "wrong-token"):
        status, answer = sandbox.call(
            "POST", "/platform-api/inject", {"target": "glue-job"}, token=token
        )
        assert status == 403, (token, status, answer)
        assert "X-Platform-Api-Token" in answer["error"]
        status, _ = sandbox.call("GET", "/platform-api/injections", token=token)
        assert status == 403
    assert sandbox.control("GET", "/injections") == {"injections": []}
    # Redeeming a web login token needs no control token: the one-time token is the secret.
    status, answer = sandbox.call(
        "POST", "/platform-api/mwaa/login-tokens/verify", {"token": "nope"}, token=None
    )
    assert status == 403 and "invalid" in answer["error"]  # the MWAA route's own refusal
