"""Planning on the map and recording visits on a phone, in Chromium against a real server.

The demo town (seed 7, scale 1; its own copy: the tests write). Every request not to
127.0.0.1 is refused and counted; a console error fails the test. The tests run in order:
the supervisor plans six teams, removes a target, plans again and publishes; a team member
then works on a 360×640 phone, offline and back online. Screenshots and the planning time go to
test-artifacts/ (never into the tracked docs/img/: the docs' copies are refreshed on purpose,
by copying them from there).
"""

import io
import json
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from access_helpers import ensure_user, token_for
from live_server import live_app, system_chromium
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import Engine, text

from geo_service.clock import town_tz
from geo_service.db import make_engine
from geo_service.demo import load_demo
from web_map.snapshot import READY

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
IMG = ROOT / "test-artifacts"
ARTIFACTS = ROOT / "test-artifacts"
LOCAL = "http://127.0.0.1:"
TEAMS = 6
MEMBERS = [f"duiyuan{i}" for i in range(1, TEAMS + 1)]  # 队员, one per team


@pytest.fixture(scope="module")
def town_url(new_database, demo_as_of) -> str:
    url = new_database("fielddemo")
    load_demo(url, seed=7, scale=1.0, as_of=demo_as_of)
    return url


@pytest.fixture(scope="module")
def db(town_url: str) -> Iterator[Engine]:
    eng = make_engine(town_url, pool_size=1)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def server(town_url: str) -> Iterator[tuple[str, dict[str, str]]]:
    """A uvicorn server of the app; session tokens of the planner and the team members."""
    with live_app(town_url) as (base, app):
        tokens = {"planner": token_for(app, ensure_user(app, "supervisor", username="dudao"))}
        for name in MEMBERS:
            tokens[name] = token_for(app, ensure_user(app, "supervisor", username=name))
        yield base, tokens


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with system_chromium() as b:
        yield b


class Watch:
    """External requests and console errors of a browser context (service worker included)."""

    def __init__(self) -> None:
        self.external: list[str] = []
        self.errors: list[str] = []

    def check(self) -> None:
        assert self.external == [], f"external requests: {self.external[:5]}"
        assert self.errors == [], f"console errors: {self.errors[:5]}"


def open_context(browser: Browser, token: str, **options) -> tuple[BrowserContext, Watch]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.add_cookies([{"name": "geo_session", "value": token, "url": "http://127.0.0.1"}])
    watch = Watch()

    def route(r) -> None:
        if r.request.url.startswith(LOCAL):
            r.continue_()
        else:
            watch.external.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    return context, watch


def watch_page(page: Page, watch: Watch, offline_ok: bool = False) -> Page:
    def console(m) -> None:
        # Offline, a failed fetch the page expects (and handles) is logged by Chromium itself.
        if m.type == "error" and not (offline_ok and "ERR_INTERNET_DISCONNECTED" in m.text):
            watch.errors.append(m.text)

    page.on("console", console)
    page.on("pageerror", lambda e: watch.errors.append(str(e)))
    return page


def wait_js(p: Page, expression: str, arg=None, timeout: float = 30.0) -> None:
    """Poll `expression` (a function of `arg`) until it is truthy. Playwright's own
    wait_for_function evaluates a string, which the app's CSP rightly forbids."""
    deadline = time.monotonic() + timeout
    while not p.evaluate(expression, arg):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.1)


def _today() -> str:
    return datetime.now(town_tz()).date().isoformat()


def _plan(p: Page) -> dict:
    """Click 规划路线 and wait for the plan; the progress bar must show while it works."""
    before = p.evaluate("document.body.dataset.plan || ''")
    p.click("#plan-run")
    p.wait_for_selector("#plan-progress:not([hidden])", timeout=5_000)
    wait_js(
        p,
        "(b) => document.body.dataset.plan && document.body.dataset.plan !== b && "
        "!document.body.dataset.planning",
        before,
        timeout=90,
    )
    assert p.locator("#plan-error").is_hidden(), p.locator("#plan-error").inner_text()
    assert p.evaluate("document.getElementById('plan-progress-bar').value") == 6
    return {
        "ref": p.evaluate("document.body.dataset.plan"),
        "seconds": float(p.evaluate("document.body.dataset.planSeconds")),
    }


def test_supervisor_plans_six_teams_removes_a_target_replans_and_publishes(server, browser, db):
    base, tokens = server
    context, watch = open_context(
        browser, tokens["planner"], viewport={"width": 1280, "height": 860}
    )
    p = watch_page(context.new_page(), watch)
    try:
        p.goto(f"{base}/plan")
        wait_js(p, "() => Number(document.body.dataset.targets) > 300", timeout=60)
        assert p.input_value("input[name=date]") == _today()
        p.fill("input[name=teams]", str(TEAMS))
        p.fill("input[name=max_targets]", "300")
        first = _plan(p)
        rows = p.locator("#plan-teams tbody tr")
        assert rows.count() == TEAMS
        with db.connect() as c:
            stops = c.execute(
                text("SELECT house_id, team, seq FROM route_plan_stops WHERE plan_ref = :r"),
                {"r": first["ref"]},
            ).all()
            unplanned = c.execute(
                text("SELECT count(*), count(*) FILTER (WHERE u ->> 'reason' = 'over_limit')"
                     " FROM route_plans, jsonb_array_elements(result -> 'unassigned') u"
                     " WHERE ref = :r"),
                {"r": first["ref"]},
            ).one()  # fmt: skip
        targets = int(p.evaluate("document.body.dataset.targets"))
        assert {s.team for s in stops} == set(range(1, TEAMS + 1))
        # Every target is planned or reported with a reason; beyond the 300 planned: over_limit.
        assert len(stops) + unplanned[0] == targets and unplanned[1] == targets - 300
        assert p.locator("#plan-unassigned-count").inner_text() == str(unplanned[0])
        p.screenshot(path=IMG / "plan.png")

        # Remove the first stop of team 1: click its number on the map, then 移除.
        team1_first = next(s.house_id for s in stops if (s.team, s.seq) == (1, 1))
        assert _click_stop(p, team1_first) == team1_first
        p.locator(f".plan-popup[data-house='{team1_first}'] button[name=remove]").click()
        assert "已移除 1" in p.locator("#plan-changes").inner_text()
        # Pin a target the day had no time for to team 2: open it from the unassigned list.
        p.click("#plan-unassigned summary")
        left = p.locator("#plan-unassigned li", has_text="当日时间不足").first
        pinned = int(left.get_attribute("data-house"))
        left.click()
        # The open popup's content (a closed one fades out for 200 ms before it leaves).
        popup = p.locator(f".leaflet-popup-content .plan-popup[data-house='{pinned}']")
        popup.locator("select[name=pin]").select_option("2")
        assert popup.locator("select[name=pin]").input_value() == "2"
        popup.locator("button[name=pin-apply]").click()
        expect(p.locator("#plan-changes")).to_contain_text("已固定 1")
        # Visiting hours for the second stop of team 1: 13:00–15:00.
        windowed = next(s.house_id for s in stops if (s.team, s.seq) == (1, 2))
        _click_stop(p, windowed, 2)
        popup = p.locator(f".plan-popup[data-house='{windowed}']")
        popup.locator("input[name=from]").fill("13:00")
        popup.locator("input[name=to]").fill("15:00")
        popup.locator("button[name=window-set]").click()
        assert p.locator("#plan-changes").inner_text() == "改动：已移除 1 · 已固定 1 · 可访时段 1"
        second = _plan(p)
        assert second["ref"] != first["ref"]
        removed = p.locator(f"#plan-unassigned li[data-house='{team1_first}']")
        assert "已移除" in removed.text_content()
        with db.connect() as c:
            served = {
                r.house_id: r
                for r in c.execute(
                    text("SELECT house_id, team, arrival_s FROM route_plan_stops"
                         " WHERE plan_ref = :r"),
                    {"r": second["ref"]},
                )
            }  # fmt: skip
            result, request = c.execute(
                text("SELECT result, params FROM route_plans WHERE ref = :r"),
                {"r": second["ref"]},
            ).one()
        assert team1_first not in served and request["exclude_house_ids"] == [team1_first]
        assert served[pinned].team == 2 and request["pins"] == {str(pinned): 2}
        # The hours are kept: visited inside them, or left out for another day with the reason.
        stop = [s for r in result["routes"] for s in r["stops"] if s["house_id"] == windowed]
        left = [u["reason"] for u in result["unassigned"] if u["house_id"] == windowed]
        assert (stop and "13:00" <= stop[0]["service_start"] <= "15:00") or left == ["out_of_time"]
        assert request["windows"] == {str(windowed): ["13:00", "15:00"]}

        # Publish: one member per team.
        for i, name in enumerate(MEMBERS, start=1):
            p.select_option(f"#plan-members select[data-user={name}]", str(i))
        p.click("#plan-publish-run")
        wait_js(p, "(r) => document.body.dataset.published === r", second["ref"])
        assert "已发布给 6 个组" in p.locator("#plan-publish-msg").inner_text()
        with db.connect() as c:
            published = (
                c.execute(text("SELECT ref FROM route_plans WHERE published_at IS NOT NULL"))
                .scalars()
                .all()
            )
            members = dict(
                c.execute(
                    text("SELECT username, team FROM route_plan_members WHERE plan_ref = :r"),
                    {"r": second["ref"]},
                ).all()
            )
        assert published == [second["ref"]]
        assert members == {name: i for i, name in enumerate(MEMBERS, start=1)}
        # Earlier plans are listed, the published one marked.
        wait_js(
            p,
            "(r) => (document.querySelector(`#plan-history tr[data-ref='${r}']`) || {})"
            ".textContent?.includes('已发布')",
            second["ref"],
        )
        assert p.locator(f"#plan-history tr[data-ref='{first['ref']}']").count() == 1
        p.screenshot(path=IMG / "plan-published.png")
        ARTIFACTS.mkdir(exist_ok=True)
        timing = {"targets": 300, "teams": TEAMS, "first_s": first["seconds"],
                  "second_s": second["seconds"]}  # fmt: skip
        (ARTIFACTS / "plan-timing.json").write_text(json.dumps(timing))
        print(f"\nplanned 300 targets for 6 teams in the page: {timing}")
        watch.check()
    finally:
        context.close()


def _click_stop(p: Page, house_id: int, seq: int = 1) -> int:
    """Click the numbered stop icon of `house_id` on the map; returns the house its popup is
    for. The event goes to the icon itself: at town scale other stops may overlap it."""
    icon = p.locator(f".plan-stop-icon[data-house='{house_id}']")
    assert icon.inner_text() == str(seq)
    icon.dispatch_event("click")
    # The house's own popup (a closed one fades out for 200 ms before it leaves the page).
    popup = p.locator(f".leaflet-popup-content .plan-popup[data-house='{house_id}']")
    popup.wait_for()
    return int(popup.get_attribute("data-house"))


def _jpeg(width: int, height: int) -> bytes:
    img = Image.new("RGB", (width, height))
    for x in range(0, width, 50):  # stripes: something a JPEG has to encode
        img.paste((x % 256, 90, 200 - x % 200), (x, 0, x + 25, height))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _record(p: Page, index: int, status: str, photo: bytes | None = None, shot: str = "") -> int:
    """Record the visit of the index-th stop; returns its house id. With `shot`, screenshots
    of the filled form (its top and its end) go to test-artifacts/<shot>-top.png, -end.png."""
    card = p.locator(".fd-stop").nth(index)
    house = int(card.get_attribute("data-house"))
    card.locator("button[name=record]").click()
    p.wait_for_selector("#fd-record:not([hidden])")
    p.locator("#fd-form .fd-status label", has_text=status).click()
    if status == "已走访":
        hazards = p.locator("#fd-hazard-list .fd-hazard")
        for i in range(hazards.count()):
            choice = "已整改" if i == 0 else "未整改"
            hazards.nth(i).locator("label", has_text=choice).click()
        p.click("#fd-new-add")
        p.select_option("#fd-new-list select[name=new-category]", "ebike")
        p.fill("#fd-new-list textarea[name=new-description]", "楼道内电瓶车充电")
        if photo:
            p.set_input_files(
                "#fd-photo", files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg",
                                     "buffer": photo}]
            )  # fmt: skip
            wait_js(p, "() => document.body.dataset.photos === '1'")
            p.locator("#fd-thumbs img").wait_for()
        p.fill("#fd-form textarea[name=notes]", "复查，已当面告知")
    wait_js(p, "() => !document.getElementById('fd-pos').textContent.includes('定位中')")
    if shot:
        p.evaluate("() => { document.getElementById('fd-record').scrollTop = 0; }")
        p.screenshot(path=IMG / f"{shot}-top.png")
        p.evaluate("() => { const r = document.getElementById('fd-record'); r.scrollTop = 1e6; }")
        p.screenshot(path=IMG / f"{shot}-end.png")
    p.click("#fd-save")
    p.wait_for_selector("#fd-record", state="hidden")
    return house


def test_member_records_three_visits_offline_and_they_land_once(server, browser, db):
    base, tokens = server
    with db.connect() as c:
        lon, lat = c.execute(
            text("SELECT ST_X(s.geom), ST_Y(s.geom) FROM route_plan_stops s JOIN route_plans p"
                 " ON p.ref = s.plan_ref WHERE p.published_at IS NOT NULL AND s.team = 1"
                 " ORDER BY s.seq LIMIT 1")
        ).one()  # fmt: skip
    context, watch = open_context(
        browser,
        tokens[MEMBERS[0]],
        viewport={"width": 360, "height": 640},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": lat, "longitude": lon, "accuracy": 12},
        permissions=["geolocation"],
    )
    p = watch_page(context.new_page(), watch, offline_ok=True)
    try:
        p.goto(f"{base}/field")
        wait_js(p, "() => document.body.dataset.route", timeout=20)
        wait_js(p, "() => document.body.dataset.offline === 'ready'", timeout=20)
        stops = p.locator(".fd-stop")
        assert stops.count() >= 3
        first = stops.first.inner_text()
        assert "走访原因" in first and "导航" in first and "高德导航" in first
        assert p.locator(".fd-stop a.fd-nav").first.get_attribute("href").startswith("geo:")
        amap = p.locator(".fd-stop a.fd-amap").first.get_attribute("href")
        assert "coordinate=gaode" in amap
        assert p.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
        p.screenshot(path=IMG / "field.png")

        context.set_offline(True)
        wait_js(p, "() => document.getElementById('fd-net').textContent === '离线'")
        photo = _jpeg(3000, 2000)  # a phone camera's size: the page must shrink it
        houses = [_record(p, 0, "已走访", photo, shot="field-record")]
        houses.append(_record(p, 1, "无人"))
        houses.append(_record(p, 2, "拒绝入户"))
        assert p.locator("#fd-pending-count").inner_text() == "3"
        assert p.locator(".fd-state.fd-pending-state").count() == 3
        p.screenshot(path=IMG / "field-offline.png")

        p.reload()  # still offline: the service worker serves the page and the route
        wait_js(p, "() => document.body.dataset.route", timeout=20)
        assert p.locator(".fd-stop").count() == stops.count()
        assert p.locator("#fd-pending-count").inner_text() == "3"
        with db.connect() as c:
            assert c.execute(text("SELECT count(*) FROM field_visits")).scalar_one() == 0

        context.set_offline(False)  # the page sends what waits, by itself
        wait_js(p, "() => document.body.dataset.pending === '0'", timeout=30)
        wait_js(p, "() => document.querySelectorAll('.fd-state.fd-pending-state').length === 0")
        p.click("#fd-pending")  # a manual sync afterwards sends nothing twice
        p.wait_for_timeout(500)
        with db.connect() as c:
            field = c.execute(
                text("SELECT house_id, status, username, accuracy_m FROM field_visits"
                     " ORDER BY id")
            ).all()  # fmt: skip
            outcomes = c.execute(
                text("SELECT house_id, array_agg(outcome ORDER BY id) FROM review_visits"
                     " WHERE house_id = ANY(:h) GROUP BY house_id"),
                {"h": houses},
            ).all()  # fmt: skip
            photos = c.execute(
                text("SELECT house_id, width, height, sha256 = encode(sha256(data), 'hex')"
                     " FROM visit_photos")
            ).all()  # fmt: skip
            inspected = c.execute(
                text("SELECT count(*) FROM houses WHERE id = ANY(:h) AND last_inspected_on = :d"),
                {"h": houses, "d": datetime.now(town_tz()).date()},
            ).scalar_one()
        assert [(f.house_id, f.status, f.username) for f in field] == [
            (houses[0], "visited", MEMBERS[0]),
            (houses[1], "no_access", MEMBERS[0]),
            (houses[2], "refused", MEMBERS[0]),
        ]
        assert all(f.accuracy_m == 12 for f in field)  # the phone's position came along
        got = dict(outcomes)
        assert got[houses[1]] == ["no_access"] and got[houses[2]] == ["refused"]
        assert got[houses[0]].count("new_hazard") == 1
        assert photos == [(houses[0], 1600, 1067, True)]  # 3000×2000 shrunk to 1600 wide
        assert inspected == 3
        p.screenshot(path=IMG / "field-synced.png")
        watch.check()
    finally:
        context.close()

    # The visits show on the map: the house's popup lists them, with the photo.
    context, watch = open_context(
        browser, tokens["planner"], viewport={"width": 1280, "height": 800}
    )
    p = watch_page(context.new_page(), watch)
    try:
        p.goto(f"{base}/map?as_of={_today()}")
        p.wait_for_selector(READY, state="attached", timeout=30_000)
        with db.connect() as c:
            lon, lat = c.execute(
                text("SELECT ST_X(geom), ST_Y(geom) FROM houses WHERE id = :h"), {"h": houses[0]}
            ).one()
        p.evaluate("([id, lat, lon]) => QZF.openHouse(id, null, L.latLng(lat, lon))",
                   [houses[0], lat, lon])  # fmt: skip
        popup = p.locator(".leaflet-popup-content .qzf-house-popup")
        popup.wait_for(timeout=10_000)
        text_ = popup.inner_text()
        assert "回头看走访" in text_ and MEMBERS[0] in text_ and "新发现隐患" in text_
        img = popup.locator("img.qzf-visit-photo")
        img.wait_for()
        wait_js(p, "() => document.querySelector('img.qzf-visit-photo').naturalWidth === 1600")
        popup.locator(".qzf-visits").scroll_into_view_if_needed()
        p.screenshot(path=IMG / "map-visit-popup.png")
        watch.check()
    finally:
        context.close()
