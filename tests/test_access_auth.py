"""Logging in and out: tokens, the session cookie, lock-out, disabled users, the login gate."""

import time

import jwt
import pytest
from access_data import load
from access_helpers import PASSWORD, auth_headers, ensure_user, secured_app, token_for
from fastapi.testclient import TestClient
from sqlalchemy import text

from geo_service.access import accounts, tokens


@pytest.fixture(scope="module")
def client(engine, db_url):
    load(engine)
    with TestClient(secured_app(db_url, login_rate_per_minute=1000)) as c:
        yield c


def _token(client, username, password=PASSWORD):
    return client.post("/auth/token", data={"username": username, "password": password})


def _me(client, token):
    return client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})


# -- the gate --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/auth/me", "/audit", "/openapi.json", "/map/summary"])
def test_anonymous_requests_get_401(client, path):
    r = client.get(path)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.json()["detail"].startswith("请先登录")


def test_anonymous_browser_is_sent_to_the_login_page(client):
    r = client.get("/map?unit_id=1", headers={"Accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Fmap%3Funit_id%3D1"


@pytest.mark.parametrize("path", ["/healthz", "/login"])
def test_open_paths_need_no_login(client, path):
    assert client.get(path).status_code == 200


def test_garbage_and_forged_tokens_are_refused(client):
    user = ensure_user(client.app, "leader")
    forged = jwt.encode(
        {"sub": user.username, "ep": user.epoch, "typ": "access", "iss": tokens.ISSUER,
         "iat": int(time.time()), "exp": int(time.time()) + 60},
        "another-key-another-key-another-key",
        algorithm="HS256",
    )  # fmt: skip
    unsigned = jwt.encode(
        {"sub": user.username, "ep": user.epoch, "typ": "access", "iss": tokens.ISSUER,
         "iat": int(time.time()), "exp": int(time.time()) + 60},
        None,
        algorithm="none",
    )  # fmt: skip
    for bad in ("garbage", forged, unsigned, token_for(client.app, user, lifetime_s=-10)):
        assert _me(client, bad).status_code == 401


# -- tokens ----------------------------------------------------------------------------------


def test_password_flow_issues_a_short_lived_token(client):
    ensure_user(client.app, "supervisor", username="sup1")
    r = _token(client, "sup1")
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer"
    assert 29 * 60 < body["expires_in"] <= 30 * 60
    me = _me(client, body["access_token"]).json()
    assert (me["username"], me["role"], me["role_zh"]) == ("sup1", "supervisor", "督导组")


def test_village_user_is_bound_to_its_unit(client):
    ensure_user(client.app, "village", unit="甲村", username="vil_a")
    me = _me(client, _token(client, "vil_a").json()["access_token"]).json()
    assert (me["role"], me["unit"]) == ("village", "甲村")


def test_wrong_password_and_unknown_user_look_the_same(client):
    ensure_user(client.app, "leader", username="lead1")
    a = _token(client, "lead1", "wrong-password-1")
    b = _token(client, "nobody-here", "wrong-password-1")
    assert a.status_code == b.status_code == 401
    assert a.json() == b.json()


def test_lock_out_after_five_bad_passwords(client):
    ensure_user(client.app, "police", username="pol_lock")
    codes = [_token(client, "pol_lock", f"bad-password-{i}").status_code for i in range(5)]
    # Every refusal looks the same (401) whether the user exists or is locked (finding 5)
    assert codes == [401, 401, 401, 401, 401]
    # locked: even the right password is refused, and the message says it may be locked
    r = _token(client, "pol_lock")
    assert r.status_code == 401
    assert "锁定" in r.json()["detail"]
    with client.app.state.engine.begin() as c:
        until = c.execute(
            text("SELECT locked_until - now() FROM users WHERE username = 'pol_lock'")
        ).scalar()
        assert 14 * 60 < until.total_seconds() <= 15 * 60
        # fifteen minutes later (moved back in time here), the right password works again
        c.execute(
            text("UPDATE users SET locked_until = now() - interval '1 second' "
                 "WHERE username = 'pol_lock'")
        )  # fmt: skip
    assert _token(client, "pol_lock").status_code == 200
    with client.app.state.engine.connect() as c:
        assert (
            c.execute(text("SELECT failed_logins FROM users WHERE username = 'pol_lock'")).scalar()
            == 0
        )


def test_lock_out_does_not_tell_whether_a_user_exists(client):
    """Finding 5: five wrong passwords gave 423 for a real user, 401 forever for a made-up one."""
    ensure_user(client.app, "leader", username="lead_enum")
    real = [_token(client, "lead_enum", f"bad-password-{i}") for i in range(7)]
    made_up = [_token(client, "no-such-user-x", f"bad-password-{i}") for i in range(7)]
    assert [(r.status_code, r.json()) for r in real] == [(r.status_code, r.json()) for r in made_up]
    assert {r.status_code for r in real} == {401}
    # the real account is locked all the same: its right password is refused, alike
    assert _token(client, "lead_enum").json() == made_up[0].json()


def test_lock_out_voids_open_sessions_at_once(client):
    ensure_user(client.app, "supervisor", username="sup_lock")
    token = _token(client, "sup_lock").json()["access_token"]
    assert _me(client, token).status_code == 200
    for i in range(5):
        _token(client, "sup_lock", f"bad-password-{i}")
    headers = {"Authorization": f"Bearer {token}"}
    for path in ("/auth/me", "/openapi.json", "/ogc", "/map/export.png"):
        assert client.get(path, headers=headers).status_code == 401, path
    with client.app.state.engine.begin() as c:  # the lock-out ends
        c.execute(
            text("UPDATE users SET locked_until = now() - interval '1 second' "
                 "WHERE username = 'sup_lock'")
        )  # fmt: skip
    assert _me(client, token).status_code == 200
    # Logging out while locked out holds: the token does not come back afterwards.
    for i in range(5):
        _token(client, "sup_lock", f"bad-password-{i}")
    assert client.post("/auth/logout", headers=headers).status_code == 204
    with client.app.state.engine.begin() as c:
        c.execute(text("UPDATE users SET locked_until = NULL WHERE username = 'sup_lock'"))
    assert _me(client, token).status_code == 401


def test_a_good_login_resets_the_failure_count(client):
    ensure_user(client.app, "police", username="pol_reset")
    for i in range(4):
        assert _token(client, "pol_reset", f"bad-password-{i}").status_code == 401
    assert _token(client, "pol_reset").status_code == 200
    for i in range(4):
        assert _token(client, "pol_reset", f"bad-password-{i}").status_code == 401
    assert _token(client, "pol_reset").status_code == 200


def test_login_rate_limit_per_client(engine, db_url):
    with TestClient(secured_app(db_url, login_rate_per_minute=3)) as c:
        codes = [_token(c, "nobody", "whatever-password").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]


# -- disabled users, logout, password change ----------------------------------------------------


def test_disabled_user_is_refused_at_once(client):
    ensure_user(client.app, "supervisor", username="sup_off")
    token = _token(client, "sup_off").json()["access_token"]
    assert _me(client, token).status_code == 200
    with client.app.state.engine.begin() as c:
        accounts.set_disabled(c, "sup_off", True)
    assert _me(client, token).status_code == 401  # the very next request
    r = _token(client, "sup_off")
    assert r.status_code == 401 and "停用" in r.json()["detail"]
    with client.app.state.engine.begin() as c:
        accounts.set_disabled(c, "sup_off", False)
    assert _me(client, token).status_code == 401  # old tokens stay void after re-enabling
    assert _token(client, "sup_off").status_code == 200


def test_logout_voids_the_token(client):
    headers = auth_headers(client.app, "admin", username="adm_out")
    assert client.get("/auth/me", headers=headers).status_code == 200
    assert client.post("/auth/logout", headers=headers).status_code == 204
    assert client.get("/auth/me", headers=headers).status_code == 401


# Routes that hold no database connection of their own (finding 3): checked all the same.
NO_CONNECTION_ROUTES = ("/openapi.json", "/docs", "/redoc", "/ogc", "/ogc/conformance", "/nope")


def test_logout_voids_the_token_on_routes_without_a_connection(client):
    headers = auth_headers(client.app, "leader", username="lead_out")
    for path in NO_CONNECTION_ROUTES:
        assert client.get(path, headers=headers).status_code == (404 if path == "/nope" else 200)
    assert client.post("/auth/logout", headers=headers).status_code == 204
    for path in NO_CONNECTION_ROUTES:
        r = client.get(path, headers=headers)
        assert r.status_code == 401, path
        assert "登录已失效" in r.json()["detail"]
    # The PNG export refuses before it starts a browser (it ran Chromium for 31.6 s, then 500).
    started = time.monotonic()
    r = client.get("/map/export.png?as_of=2026-11-15", headers=headers)
    assert r.status_code == 401 and time.monotonic() - started < 1.5


def test_password_change_voids_open_sessions(client):
    ensure_user(client.app, "leader", username="lead_pw")
    token = _token(client, "lead_pw").json()["access_token"]
    with client.app.state.engine.begin() as c:
        accounts.set_password(c, "lead_pw", "Another-password-99")
    assert _me(client, token).status_code == 401
    assert _token(client, "lead_pw").status_code == 401
    assert _token(client, "lead_pw", "Another-password-99").status_code == 200


# -- the map's session cookie -------------------------------------------------------------------


def test_login_form_sets_a_protected_session_cookie(client):
    ensure_user(client.app, "leader", username="lead_web")
    r = client.post(
        "/login",
        data={"username": "lead_web", "password": PASSWORD, "next": "/map?as_of=2026-11-01"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/map?as_of=2026-11-01"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("geo_session=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # development over plain http; see the production test
    session = cookie.split(";")[0].split("=", 1)[1]
    me = client.get("/auth/me", cookies={"geo_session": session})
    assert me.json()["username"] == "lead_web"
    # logging out through the page clears the cookie and voids it
    out = client.post(
        "/auth/logout",
        cookies={"geo_session": session},
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert 'geo_session=""' in out.headers["set-cookie"]
    assert client.get("/auth/me", cookies={"geo_session": session}).status_code == 401
    client.cookies.clear()


def test_cookie_is_secure_when_configured(engine, db_url):
    with TestClient(secured_app(db_url, cookie_secure=True)) as c:
        ensure_user(c.app, "leader", username="lead_sec")
        r = c.post(
            "/login", data={"username": "lead_sec", "password": PASSWORD}, follow_redirects=False
        )
        assert "Secure" in r.headers["set-cookie"]


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil"])
def test_login_never_redirects_off_site(client, target):
    ensure_user(client.app, "leader", username="lead_nx")
    r = client.post(
        "/login",
        data={"username": "lead_nx", "password": PASSWORD, "next": target},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/map"
    client.cookies.clear()


def test_failed_form_login_shows_the_reason_in_chinese(client):
    r = client.post("/login", data={"username": "nobody", "password": "x" * 12, "next": "/map"})
    assert r.status_code == 401
    assert "用户名或密码错误" in r.text
    assert 'name="next" value="/map"' in r.text


def test_login_page_escapes_what_it_echoes(client):
    r = client.get("/login", params={"next": '/map"><script>alert(1)</script>'})
    assert "<script>alert(1)" not in r.text
