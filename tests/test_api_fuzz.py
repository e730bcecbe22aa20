"""No input makes the API fail (5xx), on every operation of the app's OpenAPI document, logged
in as a police user (the role that reads everything) and as an administrator.

- Extremes, one parameter at a time (police): every query and path parameter set to the edge
  of what it declares, or beyond what the database or date arithmetic can hold where it
  declares no edge — integers past `bigint`, the first and last dates of the calendar, a month
  of the year 9999, a NUL character — the other parameters left at their defaults.
- Random requests (schemathesis, a fixed seed, both roles): values and bodies that fit the
  document, and as many that do not.

Bounded to run in well under a minute on an idle machine; bench/api_fuzz.py runs more examples
against a live server. Left out: POST /auth/logout (it would end the session the run uses) and
GET /map/export.png (each request would start Chromium; its refusals and time limit have tests
of their own). The routes open without a log-in answer everyone alike: fuzzed in the
administrator's run only, the log-in forms with one example each (each checks a password at
Argon2's full cost, about a second).
"""

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import hypothesis
import pytest
import schemathesis
from access_data import load
from access_helpers import auth_headers, secured_app
from fastapi.testclient import TestClient
from schemathesis.generation.hypothesis.builder import (
    HypothesisTestConfig,
    HypothesisTestMode,
    create_test,
)

from geo_service.access.web import is_open

RANDOM_EXAMPLES = 3  # per operation and role, about half of them outside the document
LEFT_OUT = {("POST", "/auth/logout"), ("GET", "/map/export.png")}
PASSWORD_CHECKS = {("POST", "/login"), ("POST", "/auth/token")}
BEYOND_BIGINT = 99999999999999999999
# Path parameters that must name something real for the request to get past routing.
PATH_DEFAULTS = {"collection_id": "houses", "layer_name": "houses", "layer": "houses",
                 "z": 10, "x": 853, "y": 416, "house_id": 1, "feature_id": 1, "ref": "none",
                 "team": 1, "fmt": "csv", "path": "map.css"}  # fmt: skip


@pytest.fixture(scope="module")
def app_and_headers(engine, db_url):
    load(engine)
    app = secured_app(db_url)
    with TestClient(app) as client:  # users are created through the app's own engine
        headers = {role: auth_headers(app, role) for role in ("admin", "police")}
        document = client.get("/openapi.json", headers=headers["admin"]).json()
    return app, headers, document


# -- extremes, one parameter at a time -----------------------------------------------------------


def _plain(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema of a parameter without its `null` alternative."""
    options = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    return options[0] if len(options) == 1 else {}


def _extremes(schema: dict[str, Any]) -> list[Any]:
    s = _plain(schema)
    if "enum" in s or s.get("type") == "boolean":
        return []
    if s.get("type") == "integer":
        return [s.get("minimum", -BEYOND_BIGINT), s.get("maximum", BEYOND_BIGINT)]
    if s.get("type") == "number":
        return [s.get("minimum", -1e308), s.get("maximum", 1e308)]
    if s.get("type") == "array":
        return [[v] for v in _extremes({"anyOf": [s.get("items", {})]})]
    if s.get("format") == "date":
        return ["0001-01-01", "9999-12-31"]
    return [str(BEYOND_BIGINT), "0001-01-01", "9999-12", "a\x00b"]


def _extreme_requests(document: dict) -> Iterator[tuple[str, str, dict, dict]]:
    """(method, path, path values, query) for each parameter at each of its extremes."""
    for path, item in document["paths"].items():
        for method, op in item.items():
            if (method.upper(), path) in LEFT_OUT | PASSWORD_CHECKS:
                continue
            params = op.get("parameters", [])
            base = {p["name"]: PATH_DEFAULTS[p["name"]] for p in params if p["in"] == "path"}
            for p in params:
                for value in _extremes(p.get("schema", {})):
                    if p["in"] == "path":
                        yield method, path, {**base, p["name"]: value}, {}
                    elif p["in"] == "query":
                        yield method, path, base, {p["name"]: value}


def test_no_parameter_at_its_extremes_makes_the_api_fail(app_and_headers):
    app, headers, document = app_and_headers
    failures, sent = [], 0
    with TestClient(app, raise_server_exceptions=False) as client:  # list every failure
        for method, path, values, query in _extreme_requests(document):
            url = path.format(**{k: quote(str(v), safe="") for k, v in values.items()})
            r = client.request(method, url, params=query, headers=headers["police"])
            sent += 1
            if r.status_code >= 500:
                failures.append(f"{r.status_code} {method.upper()} {url} {query}: {r.text[:200]}")
    assert sent > 300  # every operation's parameters were tried
    assert not failures, "\n".join(failures)


# -- random requests -----------------------------------------------------------------------------


def _settings(examples: int) -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )


def _fuzz(app, headers: dict[str, str], open_routes: bool) -> list[str]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, headers=headers)
    schema.config.generation.update(modes=list(schemathesis.GenerationMode))
    failures: list[str] = []

    def check(case) -> None:
        response = case.call(headers=headers)
        if response.status_code >= 500:
            curl = case.as_curl_command(headers={})
            failures.append(f"{response.status_code} {curl}\n    {response.text[:300]}")

    def run(operation, examples: int, test: Callable) -> None:
        config = HypothesisTestConfig(
            project=schema.config, modes=[HypothesisTestMode.FUZZING], settings=_settings(examples)
        )
        create_test(operation=operation, test_func=test, config=config)()

    for result in schema.get_all_operations():
        operation = result.ok()
        key = (operation.method.upper(), operation.path)
        if key in LEFT_OUT or is_open(operation.path) != open_routes:
            continue
        run(operation, 1 if key in PASSWORD_CHECKS else RANDOM_EXAMPLES, check)
    return failures


@pytest.mark.parametrize("role", ["admin", "police"])
def test_no_random_request_makes_the_api_fail(app_and_headers, role):
    app, headers, _ = app_and_headers
    failures = _fuzz(app, headers[role], open_routes=False)
    if role == "admin":
        failures += _fuzz(app, headers[role], open_routes=True)
    assert not failures, "\n".join(failures)
