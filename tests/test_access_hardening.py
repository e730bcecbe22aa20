"""The HTTP edge: secure headers and CSP, CORS closed, secrets, size limits, CSRF, logs."""

import logging
import re

import pytest
from access_data import load
from access_helpers import auth_headers, ensure_user, secured_app, token_for
from fastapi import Request
from fastapi.testclient import TestClient
from sqlalchemy import text

from geo_service.access.logs import RedactPersonalData
from geo_service.access.tokens import signing_key
from geo_service.access.web import BASEMAP_IMAGE_SOURCES, with_nonce
from geo_service.api.deps import ConnDep
from geo_service.config import Settings
from geo_service.errors import SetupError


@pytest.fixture(scope="module")
def client(engine, db_url):
    load(engine)
    app = secured_app(db_url, max_upload_mb=0.01)  # 10 KiB, to test the limit cheaply

    @app.get("/_test/incidents")
    def _incidents(conn: ConnDep) -> dict:
        return {"n": conn.execute(text("SELECT count(*) FROM incidents")).scalar()}

    @app.post("/_test/upload")
    async def _upload(request: Request, conn: ConnDep) -> dict:
        return {"bytes": len(await request.body())}

    with TestClient(app) as c:
        yield c


def _csp(r) -> dict[str, str]:
    return {
        d.split()[0]: d.split(" ", 1)[1] if " " in d else ""
        for d in (p.strip() for p in r.headers["content-security-policy"].split(";"))
    }


# -- headers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/healthz", "/login", "/auth/me"])
def test_secure_headers_on_every_response(client, path):
    r = client.get(path)  # /auth/me: a 401, headers still present
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "same-origin"
    csp = _csp(r)
    assert csp["default-src"] == "'self'"
    assert re.fullmatch(r"'self' 'nonce-[\w-]{20,}'", csp["script-src"])
    assert csp["img-src"] == "'self' data: blob:"  # no base map configured: nothing foreign
    assert csp["connect-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert "strict-transport-security" not in r.headers  # development


def test_data_responses_are_not_cached(client):
    r = client.get("/auth/me", headers=auth_headers(client.app, "leader"))
    assert r.headers["cache-control"] == "no-store"


def test_each_response_has_its_own_nonce(client):
    a, b = _csp(client.get("/login"))["script-src"], _csp(client.get("/login"))["script-src"]
    assert a != b


def test_nonce_is_put_on_the_pages_own_scripts():
    from types import SimpleNamespace

    Req = lambda: SimpleNamespace(scope={"state": {"csp_nonce": "abc123"}})  # noqa: E731

    html = '<script src="/static/a.js"></script><SCRIPT>var x;</SCRIPT><scripts></scripts>'
    out = with_nonce(Req(), html)
    assert out == (
        '<script nonce="abc123" src="/static/a.js"></script>'
        '<script nonce="abc123">var x;</SCRIPT><scripts></scripts>'
    )
    assert with_nonce(Req(), out) == out  # never twice


def test_base_map_tile_servers_are_allowed_only_when_chosen(engine, db_url):
    from web_map.basemaps import BASEMAP_INFO

    assert set(BASEMAP_IMAGE_SOURCES) == set(BASEMAP_INFO) - {"none"}
    with TestClient(secured_app(db_url, basemap="amap")) as c:
        assert _csp(c.get("/login"))["img-src"] == "'self' data: blob: https://*.is.autonavi.com"
        # the map page may also show the base map named in its URL
        r = c.get("/map?basemap=osm", headers=auth_headers(c.app, "leader"))
        assert _csp(r)["img-src"].split()[3:] == [
            "https://*.is.autonavi.com",
            "https://tile.openstreetmap.org",
        ]


# -- CORS ----------------------------------------------------------------------------------------


def _preflight(c: TestClient):
    return c.options(
        "/auth/me",
        headers={
            "Origin": "http://other.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "Authorization",
        },
    )


def test_cors_is_closed_by_default(client):
    r = _preflight(client)
    assert "access-control-allow-origin" not in r.headers
    r = client.get("/healthz", headers={"Origin": "http://other.example"})
    assert "access-control-allow-origin" not in r.headers


def test_cors_opens_only_to_configured_origins(engine, db_url):
    with TestClient(secured_app(db_url, cors_origins=["http://other.example"])) as c:
        r = _preflight(c)
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] == "http://other.example"
        r = c.options(
            "/auth/me",
            headers={"Origin": "http://third.example", "Access-Control-Request-Method": "GET"},
        )
        assert "access-control-allow-origin" not in r.headers


# -- secrets -------------------------------------------------------------------------------------


def test_production_refuses_the_placeholder_secret(db_url):
    with pytest.raises(SetupError, match="change-me"):
        secured_app(db_url, environment="production")
    with pytest.raises(SetupError, match="shorter"):
        secured_app(db_url, environment="production", secret_key="short-secret")
    app = secured_app(db_url, environment="production", secret_key="s" * 8 + "x" * 40)
    assert app.state.signing_key == "s" * 8 + "x" * 40


def test_development_never_signs_with_the_placeholder(tmp_path):
    s = Settings(data_dir=tmp_path)
    key = signing_key(s)
    assert key != "change-me" and len(key) >= 48
    assert signing_key(Settings(data_dir=tmp_path)) == key  # stable: sessions survive restarts
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


# -- request size, CSRF, database refusals -----------------------------------------------------


def test_oversized_bodies_are_refused(client):
    h = auth_headers(client.app, "police")
    assert client.post("/_test/upload", content=b"x" * 5000, headers=h).status_code == 200
    r = client.post("/_test/upload", content=b"x" * 20_000, headers=h)
    assert r.status_code == 413
    assert "请求过大" in r.json()["detail"]

    def chunks():  # no Content-Length: counted while it streams
        for _ in range(20):
            yield b"x" * 1000

    assert client.post("/_test/upload", content=chunks(), headers=h).status_code == 413


def test_cookie_sessions_refuse_cross_site_writes(client):
    user = ensure_user(client.app, "police", username="pol_csrf")
    from geo_service.access import tokens

    session, _ = tokens.issue(
        client.app.state.signing_key, user.username, user.epoch, "session", 600
    )
    client.cookies.set("geo_session", session)
    try:
        r = client.post("/_test/upload", headers={"Origin": "http://evil.example"})
        assert r.status_code == 403
        r = client.post("/_test/upload", headers={"Origin": "http://testserver"})
        assert r.status_code == 200
        # a bearer token is not sent by a browser on its own: no Origin check needed
        bearer = {"Authorization": f"Bearer {token_for(client.app, user)}"}
        r = client.post("/_test/upload", headers={**bearer, "Origin": "http://evil.example"})
        assert r.status_code == 200
    finally:
        client.cookies.clear()


def test_database_refusal_becomes_403(client):
    r = client.get("/_test/incidents", headers=auth_headers(client.app, "leader"))
    assert r.status_code == 403
    assert r.json()["detail"].startswith("无权访问")
    r = client.get("/_test/incidents", headers=auth_headers(client.app, "police"))
    assert r.json() == {"n": 2}


# -- logs ----------------------------------------------------------------------------------------


def test_logs_mask_personal_numbers():
    f = RedactPersonalData()
    access = logging.LogRecord(
        "uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/houses?q=13812345678&id=320483199001011234", "1.1", 200),
        None,
    )  # fmt: skip
    f.filter(access)
    line = access.getMessage()
    assert "13812345678" not in line and "320483199001011234" not in line
    assert "138****5678" in line and "320483********1234" in line
    assert line.startswith("127.0.0.1:5000 - ")  # the address and port survive
    try:
        raise ValueError("Key (landlord_phone)=(13812345678) already exists")
    except ValueError:
        import sys

        err = logging.LogRecord("uvicorn.error", logging.ERROR, "", 0, "boom", (), sys.exc_info())
    f.filter(err)
    assert "13812345678" not in err.exc_text and "138****5678" in err.exc_text
