"""The map page end to end in headless Chromium (Debian's, driven by Playwright) against a real
uvicorn server of the app on the demo town, with every request not to 127.0.0.1 blocked.

Each test fails on a blocked (external) request and on any console error. Screenshots and the
measured time to a fully drawn map go to `test-artifacts/` (not asserted: reported).

The browser logs in as a police user (the role that sees every layer). Logging in writes (the
user, audit rows of unmasked reads), so the module loads its own copy of the demo town — the
same generator, seed and as-of day as the shared `demo_url` fixture, which stays read-only.
"""

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from access_helpers import auth_headers
from live_server import live_app, system_chromium
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, text

from geo_service.crs import wgs84_to_gcj02
from geo_service.db import make_engine
from geo_service.demo import load_demo
from web_map.snapshot import READY

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
LOCAL = "http://127.0.0.1:"
# The Amap basemap's tile host: only the GCJ-02 test allows it, and answers it locally.
AMAP_HOST = "is.autonavi.com"
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8ffff3f0005fe02fea7d6a4830000000049454e44ae426082"
)


@pytest.fixture(scope="module")
def town_url(new_database, demo_as_of) -> str:
    """This module's demo town (seed 7, scale 1, as `demo_url`)."""
    url = new_database("mapdemo")
    load_demo(url, seed=7, scale=1.0, as_of=demo_as_of)
    return url


@pytest.fixture(scope="module")
def demo_engine(town_url: str) -> Iterator[Engine]:
    eng = make_engine(town_url, pool_size=1)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def server(town_url: str) -> Iterator[tuple[str, str | None]]:
    """A real uvicorn server of the app on the demo town, on a free loopback port, and the
    session token of a police user (None while access control is not wired in)."""
    yield from serve(town_url, "police")


def serve(town_url: str, role: str) -> Iterator[tuple[str, str | None]]:
    """Run the app on `town_url` on a free loopback port; yields its address and the session
    token of a user of `role` (None while access control is not wired in)."""
    with live_app(town_url) as (base, app):
        token = None
        if hasattr(app.state, "signing_key"):  # access control is on: log in as `role`
            token = auth_headers(app, role)["Authorization"].split(" ", 1)[1]
        yield base, token


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with system_chromium() as b:
        yield b


class Watch:
    """What a page did that it must not: external requests and console errors."""

    def __init__(self) -> None:
        self.external: list[str] = []
        self.errors: list[str] = []
        self.amap_tiles = 0

    def check(self) -> None:
        assert self.external == [], f"external requests: {self.external[:5]}"
        assert self.errors == [], f"console errors: {self.errors[:5]}"


def open_page(
    browser: Browser, token: str | None, allow_amap: bool = False, **device
) -> tuple[Page, Watch]:
    """A page logged in as the server's user (its session cookie, as after the login page);
    `device`: the browser context's options (a phone), else a 1280×800 desktop window."""
    desktop = {"viewport": {"width": 1280, "height": 800}}
    page = browser.new_context(**(device or desktop)).new_page()
    if token:
        page.context.add_cookies(
            [{"name": "geo_session", "value": token, "url": "http://127.0.0.1"}]
        )
    watch = Watch()

    def route(r) -> None:
        url = r.request.url
        if url.startswith(LOCAL):
            r.continue_()
        elif allow_amap and AMAP_HOST in url:
            watch.amap_tiles += 1  # answered here: the request never leaves the browser
            r.fulfill(status=200, content_type="image/png", body=PNG_1PX)
        else:
            watch.external.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.errors.append(str(e)))
    return page, watch


def drawn(page: Page) -> None:
    page.wait_for_selector(READY, state="attached", timeout=20_000)


def counts(page: Page) -> dict:
    return page.evaluate("JSON.parse(JSON.stringify(QZF.counts))")


@pytest.fixture()
def page(browser: Browser, server) -> Iterator[tuple[Page, Watch]]:
    p, w = open_page(browser, server[1])
    yield p, w
    p.context.close()


def test_map_draws_offline_and_is_timed(server, page, demo_engine, demo_as_of):
    base, _ = server
    p, watch = page
    start = time.perf_counter()
    p.goto(f"{base}/map?as_of={demo_as_of}")
    drawn(p)
    wall_ms = (time.perf_counter() - start) * 1000
    ready_ms = p.evaluate("QZF.readyAt")  # since navigation start, as the browser counts it
    with demo_engine.connect() as c:
        located = c.execute(text("SELECT count(*) FROM houses WHERE geom IS NOT NULL")).scalar()
    got = counts(p)
    assert got["houses"] == located and got["units"] > 0 and got["overdue"] > 0
    assert p.locator(".marker-cluster").count() > 0  # houses are clustered at town scale
    assert p.locator("#synthetic-banner").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    p.screenshot(path=ARTIFACTS / "map-demo.png")
    timing = {"houses": located, "ready_ms": round(ready_ms), "wall_ms": round(wall_ms)}
    (ARTIFACTS / "map-timing.json").write_text(json.dumps(timing))
    print(f"\nmap fully drawn (demo town, {located} houses): {ready_ms:.0f} ms after navigation")
    watch.check()


def test_dashboard_says_when_the_risk_ranking_was_computed(server, page, demo_engine):
    """Today's map reads the maintained risk ranking, which the server refreshes in the
    background; the dashboard lists its top houses and when it was computed."""
    from zoneinfo import ZoneInfo

    from geo_service.analytics import risk_table

    base, _ = server
    p, watch = page
    deadline = time.monotonic() + 60
    while True:
        with demo_engine.connect() as c:
            run = risk_table.run_of(c, "exact")  # the server's user is a police officer
        if run is not None or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert run is not None, "the server did not refresh the ranking"
    p.goto(f"{base}/map")
    drawn(p)
    at = run.computed_at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    expect(p.locator("#qzf-risk-computed")).to_contain_text(f"风险排名计算于 {at}", timeout=20_000)
    assert p.locator("#qzf-risk-computed").text_content().startswith(f"风险排名计算于 {at}")
    assert p.locator("#qzf-risk tr").count() == 11  # header and the top 10 houses
    # No model was trained on this town: the weights rank, and the page says so.
    assert "方法：人工权重" in p.locator("#qzf-risk-computed").text_content()
    watch.check()


def test_each_layer_toggles(server, page, demo_as_of):
    base, _ = server
    p, watch = page
    p.goto(f"{base}/map?as_of={demo_as_of}")
    drawn(p)
    labels = p.locator(".leaflet-control-layers-overlays label")
    n = labels.count()
    assert n >= 12  # units, five key areas, houses, hazards, overdue, heat, incidents, routes
    for i in range(n):
        box = labels.nth(i).locator("input")
        name = labels.nth(i).inner_text().strip()
        before = box.is_checked()
        for expected in (not before, before):
            box.click()
            drawn(p)
            on = p.evaluate(  # the control lists its overlays in the order of the labels
                "(i) => QZF.map.hasLayer(QZF.control._layers.filter(l => l.overlay)[i].layer)", i
            )
            assert on is expected, name
    drawn(p)
    watch.check()  # first: a failed request would explain a missing count
    got = counts(p)
    for key in ("hazards", "heat", "hex", "incidents", "hotspots"):  # drawn when switched on
        assert got.get(key, 0) > 0, (key, p.locator("#qzf-status").inner_text())


def test_a_filter_changes_the_features_and_survives_in_the_url(server, page, demo_as_of):
    base, _ = server
    p, watch = page
    p.goto(f"{base}/map?as_of={demo_as_of}")
    drawn(p)
    all_houses, all_overdue = counts(p)["houses"], counts(p)["overdue"]
    p.select_option("#qzf-filters select[name=unit_id]", index=1)
    drawn(p)
    unit = p.eval_on_selector("#qzf-filters select[name=unit_id]", "s => s.value")
    assert 0 < counts(p)["houses"] < all_houses
    p.select_option("#qzf-filters select[name=severity]", "major")
    drawn(p)
    assert counts(p)["overdue"] < all_overdue
    assert f"unit_id={unit}" in p.url and "severity=major" in p.url
    shown = counts(p)
    p.goto(p.url)  # the shared link shows the same selection
    drawn(p)
    assert counts(p)["houses"] == shown["houses"] and counts(p)["overdue"] == shown["overdue"]
    assert p.eval_on_selector("#qzf-filters select[name=severity]", "s => s.value") == "major"
    # The month slider moves the as-of day back: fewer hazards found by then.
    p.goto(f"{base}/map?as_of={demo_as_of}&layers=hazards")
    drawn(p)
    now = counts(p)["hazards"]
    p.eval_on_selector("#qzf-month", "s => { s.value = -6; s.dispatchEvent(new Event('change')); }")
    drawn(p)
    assert counts(p)["hazards"] < now and "as_of=" in p.url
    watch.check()


def _click_house(p: Page, house_id: int) -> None:
    """Zoom to a house (unclustered) and click where it is drawn, as a user would."""
    p.evaluate(
        "(id) => { QZF.map.setView(QZF.houseMarkers[id].getLatLng(), 18, {animate: false}); }",
        house_id,
    )
    drawn(p)
    p.wait_for_timeout(300)  # the cluster group re-renders after the zoom
    x, y = p.evaluate(
        "(id) => { const pt = QZF.map.latLngToContainerPoint(QZF.houseMarkers[id].getLatLng());"
        " const r = QZF.map.getContainer().getBoundingClientRect(); return [r.left + pt.x,"
        " r.top + pt.y]; }",
        house_id,
    )
    p.mouse.click(x, y)


def test_clicking_a_house_opens_its_popup(server, page, demo_engine, demo_as_of):
    base, _ = server
    p, watch = page
    with demo_engine.connect() as c:
        house_id, address = c.execute(
            text("SELECT id, address FROM houses WHERE geom IS NOT NULL ORDER BY id LIMIT 1")
        ).one()
    p.goto(f"{base}/map?as_of={demo_as_of}&layers=units,houses")
    drawn(p)
    _click_house(p, house_id)
    popup = p.locator(".leaflet-popup-content .qzf-house-popup")
    popup.wait_for(timeout=10_000)
    text_ = popup.inner_text()
    assert address in text_ and "出租人" in text_ and "视频监控" in text_
    landlord = popup.locator("tr", has_text="出租人").inner_text()
    # The police see the landlord in full; without access control nobody may, so it is masked.
    assert ("*" in landlord) is (server[1] is None)
    p.screenshot(path=ARTIFACTS / "map-house-popup.png")
    # A unit's name opens its 附件1 score with the deductions.
    p.goto(f"{base}/map?as_of={demo_as_of}&layers=units")
    drawn(p)
    p.locator(".qzf-unit-label").first.click()
    p.locator(".qzf-unit-popup .qzf-score").wait_for(timeout=10_000)
    assert "附件1 得分" in p.locator(".qzf-unit-popup").inner_text()
    watch.check()


def test_houses_as_vector_tiles_at_city_scale(server, page, demo_engine, demo_as_of):
    # The demo town is small enough for clusters; house_mode=tiles forces the city-scale mode.
    base, _ = server
    p, watch = page
    with demo_engine.connect() as c:
        lon, lat, address = c.execute(
            text("SELECT ST_X(geom), ST_Y(geom), address FROM houses WHERE geom IS NOT NULL "
                 "ORDER BY id LIMIT 1")
        ).one()  # fmt: skip
    p.goto(f"{base}/map?as_of={demo_as_of}&house_mode=tiles&layers=houses#18/{lat}/{lon}")
    drawn(p)
    assert p.evaluate("QZF.cfg.houseMode") == "tiles" and "house_mode=tiles" in p.url
    tiles = p.evaluate(
        "performance.getEntriesByType('resource').filter(e => e.name.includes('/tiles/houses/'))"
        ".map(e => e.name)"
    )
    assert tiles and all(f"as_of={demo_as_of}" in t for t in tiles)  # the filters go along
    box = p.locator(".leaflet-container").bounding_box()
    p.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the house
    popup = p.locator(".leaflet-popup-content .qzf-house-popup")
    popup.wait_for(timeout=10_000)
    assert address in popup.inner_text()
    watch.check()


def test_amap_basemap_shifts_overlays_to_gcj02(server, browser, demo_engine, demo_as_of):
    with demo_engine.connect() as c:
        house_id, lon, lat = c.execute(
            text(
                "SELECT id, ST_X(geom), ST_Y(geom) FROM houses WHERE geom IS NOT NULL "
                "ORDER BY id LIMIT 1"
            )
        ).one()
    base, token = server
    p, watch = open_page(browser, token, allow_amap=True)
    try:
        p.goto(f"{base}/map?as_of={demo_as_of}&basemap=amap&layers=houses")
        drawn(p)
        # The page gets the point to 6 decimals (0.1 m) and shifts it with the same formula
        # as geo_service.crs, to the last bits.
        given = p.evaluate("(id) => QZF.houseMarkers[id].wgs84", house_id)
        assert abs(given[0] - lon) < 1e-6 and abs(given[1] - lat) < 1e-6
        want_lon, want_lat = (float(v) for v in wgs84_to_gcj02(*given))
        got = p.evaluate("(id) => QZF.houseMarkers[id].getLatLng()", house_id)
        assert abs(got["lng"] - want_lon) < 1e-12 and abs(got["lat"] - want_lat) < 1e-12
        assert abs(got["lng"] - lon) > 1e-3  # the shift is hundreds of metres here
        assert watch.amap_tiles > 0  # the Amap tiles were asked for (answered locally)
        # Back on the offline basemap, the same marker is at its WGS84 point again.
        p.locator(".leaflet-control-layers-base label", has_text="离线底图").click()
        drawn(p)
        back = p.evaluate("(id) => QZF.houseMarkers[id].getLatLng()", house_id)
        assert (back["lng"], back["lat"]) == tuple(given)
        watch.check()
    finally:
        p.context.close()


def test_patrol_routes_with_numbered_stops(server, page, demo_engine, demo_as_of):
    # A saved plan (as the route planner stores it): one team, three stops.
    base, _ = server
    p, watch = page
    with demo_engine.begin() as c:
        c.execute(text("DELETE FROM route_plans WHERE ref = 'MAP-TEST'"))
        c.execute(
            text(
                "INSERT INTO route_plans (ref, plan_date, teams, params, instance, result) "
                "VALUES ('MAP-TEST', :d, 1, '{}', '{}', '{}')"
            ),
            {"d": demo_as_of},
        )
        c.execute(
            text(
                "WITH s AS (SELECT id, geom, row_number() OVER (ORDER BY id) AS seq FROM houses "
                "WHERE geom IS NOT NULL ORDER BY id LIMIT 3) "
                "INSERT INTO route_plan_stops (plan_ref, team, seq, house_id, arrival_s, "
                "departure_s, geom) SELECT 'MAP-TEST', 1, seq, id, 32400 + 900 * seq, "
                "33000 + 900 * seq, geom FROM s"
            )
        )
        c.execute(
            text(
                "INSERT INTO route_plan_routes (plan_ref, team, stops, driving_s, distance_m, "
                "geom) SELECT 'MAP-TEST', 1, 3, 900, 4000, ST_MakeLine(geom ORDER BY seq) "
                "FROM route_plan_stops WHERE plan_ref = 'MAP-TEST'"
            )
        )
    p.goto(f"{base}/map?as_of={demo_as_of}&layers=units,routes")
    drawn(p)
    assert counts(p)["routes"] == 3
    assert p.locator(".qzf-stop").all_inner_texts() == ["1", "2", "3"]
    watch.check()


def test_png_export_of_the_view(server, demo_as_of):
    base, token = server
    r = httpx.get(
        f"{base}/map/export.png",
        params={"as_of": str(demo_as_of), "view": "13/31.70/120.07", "width": 800, "height": 600},
        headers={"Authorization": f"Bearer {token}"} if token else {},
        timeout=60,
    )
    assert r.status_code == 200 and r.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(r.content) > 20_000  # a drawn map, not a blank page
    (ARTIFACTS / "map-export.png").write_bytes(r.content)
