"""The independent security probe's findings 4, 6, 7 and 8 replayed, and the PNG export's time
limit (3); findings 1, 2: test_incident_privacy.py, 3, 5: test_access_auth.py. Each now gets
nothing, or a 4xx (a 503 where the server is busy), never a 500.
"""

import time

import pytest
from access_data import load
from access_helpers import PASSWORD, auth_headers, ensure_user, secured_app
from fastapi.testclient import TestClient

from geo_service.access import tokens
from geo_service.errors import UnavailableError
from web_map import snapshot

AS_OF = "2026-11-15"
TILE = "/map/basemap/10/853/416.pbf"  # the tile holding the whole town


@pytest.fixture(scope="module")
def client(engine, db_url):
    load(engine)
    with TestClient(secured_app(db_url)) as c:
        yield c


def _h(client, role: str) -> dict[str, str]:
    return auth_headers(client.app, role, unit={"village": "甲村"}.get(role))


# -- 3: the PNG export tied up the server ----------------------------------------------------------


def test_a_snapshot_waits_for_the_browser_no_longer_than_its_time_limit():
    assert snapshot._one_at_a_time.acquire(timeout=5)  # another snapshot is being taken
    try:
        started = time.monotonic()
        with pytest.raises(UnavailableError, match="超过"):
            snapshot.render_png("http://127.0.0.1:9", snapshot.Shot(query=""), {}, 0.5)
        assert time.monotonic() - started < 2
    finally:
        snapshot._one_at_a_time.release()


def test_a_snapshot_that_cannot_open_the_map_is_a_503_not_a_500(client):
    # The test client's server ("testserver") is no address Chromium can reach.
    r = client.get("/map/export.png?as_of=2026-11-15", headers=_h(client, "leader"))
    assert r.status_code == 503, r.text
    assert "截图" in r.json()["detail"]


# -- 4: a role-dependent tile was publicly cacheable ---------------------------------------------


def test_the_base_map_tile_is_for_the_asker_only(client):
    leader = client.get(TILE, headers=_h(client, "leader"))
    village = client.get(TILE, headers=_h(client, "village"))
    assert leader.status_code == village.status_code == 200
    assert leader.content != village.content  # 甲村 sees its own area only
    for r in (leader, village):
        assert r.headers["cache-control"].startswith("private")
        assert "public" not in r.headers["cache-control"]


# -- 6: X-Forwarded-For from anyone -----------------------------------------------------------


def _attempts(app, peer: str, forwarded: list[str]) -> list[int]:
    with TestClient(app, client=(peer, 40000)) as c:
        return [
            c.post(
                "/auth/token",
                data={"username": "nobody", "password": "wrong-password"},
                headers={"X-Forwarded-For": f},
            ).status_code
            for f in forwarded
        ]


def test_forwarded_for_is_ignored_unless_from_a_trusted_proxy(db_url):
    spoofed = [f"10.9.0.{k}" for k in range(4)]
    # No trusted proxy (the default): four different X-Forwarded-For, one client, 429.
    app = secured_app(db_url, login_rate_per_minute=3)
    assert _attempts(app, "192.0.2.7", spoofed) == [401, 401, 401, 429]
    # A proxy not on the list is not believed either.
    app = secured_app(db_url, login_rate_per_minute=3, trusted_proxies=["192.0.2.1"])
    assert _attempts(app, "192.0.2.7", spoofed) == [401, 401, 401, 429]
    # From the trusted proxy, each forwarded client has its own limit …
    assert _attempts(app, "192.0.2.1", spoofed) == [401, 401, 401, 401]
    # … and one client behind it is limited like any other; a value it prepends is not
    # trusted (the proxy appends the address it saw: the right-most untrusted one counts).
    app = secured_app(db_url, login_rate_per_minute=3, trusted_proxies=["192.0.2.1"])
    chain = [f"{f}, 198.51.100.4" for f in spoofed]
    assert _attempts(app, "192.0.2.1", chain) == [401, 401, 401, 429]


def test_trusted_proxies_must_be_addresses():
    from pydantic import ValidationError

    from geo_service.config import Settings

    assert Settings(trusted_proxies="10.0.0.1, 10.1.0.0/16").trusted_proxies == [
        "10.0.0.1",
        "10.1.0.0/16",
    ]
    with pytest.raises(ValidationError):
        Settings(trusted_proxies="*")


# -- 7: CSRF skipped for any Authorization header; JSON as text/plain --------------------------


def test_cross_site_cookie_writes_are_refused_whatever_else_is_sent(client):
    user = ensure_user(client.app, "supervisor", username="sup_csrf")
    session, _ = tokens.issue(client.app.state.signing_key, user.username, user.epoch,
                              "session", 600)  # fmt: skip
    client.cookies.set("geo_session", session)
    try:
        for extra in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer"}):
            r = client.post(
                "/routes/visits",
                json={"house_id": 1, "no_access": True},
                headers={"Origin": "http://evil.example", **extra},
            )
            assert r.status_code == 403, (extra, r.text)
            assert "跨站" in r.json()["detail"]
    finally:
        client.cookies.clear()


@pytest.mark.parametrize("path", ["/routes/visits", "/routes/plans"])
def test_json_endpoints_take_only_json(client, path):
    h = _h(client, "supervisor")
    body = '{"house_id": 1, "no_access": true, "teams": 1}'
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = {**h, **({"Content-Type": content_type} if content_type else {})}
        r = client.post(path, content=body, headers=headers)
        assert r.status_code == 415, (content_type, r.text)
        assert "JSON" in r.json()["detail"]
    # The form log-in stays a form.
    r = client.post("/auth/token", data={"username": "sup_csrf", "password": PASSWORD})
    assert r.status_code in (200, 401)


# -- 8: out-of-range input gave 500s; anonymous /healthz told the house count --------------------

OUT_OF_RANGE = [
    "/ogc/collections/houses/items?offset=99999999999999999999",
    "/analytics/overdue?offset=99999999999999999999",
    "/analytics/overdue.geojson?offset=99999999999999999999",
    "/analytics/cctv?offset=99999999999999999999",
    "/map/data/houses.geojson?unit_id=99999999999999999999",
    "/map/data/summary?as_of=0001-01-01",
    "/analytics/risk?as_of=0001-01-01",
    "/routes/targets?date=0001-01-01",
    "/analytics/bulletin?month=9999-12",
    "/static/map/%00",
    # and their neighbours
    "/map/data/houses/99999999999999999999",
    "/ogc/collections/houses/items/99999999999999999999",
    "/ogc/collections/houses/items?rooms=99999999999999999999",
    "/ogc/collections/houses/items?bbox=nan,0,1,1",
    "/ogc/collections/hazards/items?datetime=0001-01-01T00:00:00Z",
    "/tiles/houses/10/853/416.pbf?as_of=9999-12-31",
    "/analytics/incidents/hotspots?as_of=0001-01-01",
    "/analytics/scores?as_of=9999-12-31",
    "/analytics/bulletin?month=0001-01",
    "/audit?since=0001-01-01",
    "/routes/targets?house_id=99999999999999999999",
    "/routes/plans/x/teams/99999999999999999999.gpx",
    "/map/data/units.geojson?unit_id=²",
]


@pytest.mark.parametrize("url", OUT_OF_RANGE)
def test_out_of_range_input_is_a_clear_4xx(client, url):
    r = client.get(url, headers=_h(client, "police"))
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])


def test_out_of_range_bodies_are_a_clear_4xx(client):
    h = _h(client, "supervisor")
    for body in (
        {"house_id": 99999999999999999999, "no_access": True},
        {"house_id": 1, "visited_at": "0001-01-01T00:00:00", "no_access": True},
        {"house_id": 1, "rectified": [99999999999999999999], "no_access": True},
    ):
        r = client.post("/routes/visits", json=body, headers=h)
        assert r.status_code == 422, (body, r.text)
    r = client.post("/routes/plans", json={"teams": 1, "date": "0001-01-01"}, headers=h)
    assert r.status_code == 422, r.text


def test_health_tells_anonymous_callers_up_or_down_only(client):
    assert client.get("/healthz").json() == {"status": "ok", "database": "up"}
    assert client.get("/healthz", headers=_h(client, "leader")).json() == {
        "status": "ok",
        "database": "up",
    }
    admin = client.get("/healthz", headers=_h(client, "admin")).json()
    assert admin["houses"] == 3 and admin["postgis"].startswith("3.")
