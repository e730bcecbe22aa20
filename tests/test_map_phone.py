"""The map on a phone (390×844 CSS px, 3 device pixels each, touch): the phone layout of /map in
headless Chromium against a real server on the demo town, logged in as a town leader (镇领导),
who reads heat maps and rankings between meetings. As in test_map_browser, every request not to
127.0.0.1 is blocked and fails the test, and so does any console error.

Screenshots go to `test-artifacts/map-phone-*.png` (those in docs/map.md were taken from them);
the time to a fully drawn map with the CPU slowed 4× goes to `map-phone-timing.json`.
"""

import json
import os
import time
from collections.abc import Iterator

import pytest
import test_map_browser as desktop
from playwright.sync_api import Browser, Page
from sqlalchemy import text
from test_map_browser import ARTIFACTS, LOCAL, Watch, counts, drawn, open_page, serve

from web_map.overlays import OVERLAYS
from web_map.snapshot import CHROMIUM_ARGS

# Fixtures of the desktop tests; this module gets its own demo town, server and browser.
browser = desktop.browser
town_url = desktop.town_url
demo_engine = desktop.demo_engine

pytestmark = pytest.mark.browser
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 3,
}
TABS = {  # tab → the panel it shows
    "filters": "#qzf-filters",
    "layers": ".leaflet-control-layers",
    "legend": "#qzf-legend",
    "dashboard": "#qzf-dashboard",
}
# The overlays on by default, plus the heat map: the timing includes clusters and heat.
TIMED_LAYERS = ",".join([o.key for o in OVERLAYS if o.default_on] + ["heat"])
BUDGET_MS = 3000
# The timing's browser: its resolver knows no host but 127.0.0.1 (see the timing test).
LOOPBACK_ONLY = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"

# Share of the viewport where the map shows: sampled every 4 px, a point counts when the
# topmost element there is part of the map (not a control or popup on it) and no panel's box
# covers it (the tab bar, the sheet, the banner, every Leaflet control).
MAP_SHARE = """() => {
  const map = QZF.map.getContainer();
  const panels = [...document.querySelectorAll('.leaflet-control'), ...document.body.children]
    .filter(el => el !== map).map(el => el.getBoundingClientRect())
    .filter(r => r.width > 0 && r.height > 0);
  let shown = 0, total = 0;
  for (let y = 2; y < innerHeight; y += 4) for (let x = 2; x < innerWidth; x += 4) {
    total += 1;
    const top = document.elementFromPoint(x, y);
    if (!top || !map.contains(top) || top.closest('.leaflet-control, .leaflet-popup')) continue;
    if (panels.some(r => x >= r.left && x < r.right && y >= r.top && y < r.bottom)) continue;
    shown += 1;
  }
  return shown / total;
}"""

# Visible touch targets under `selector` smaller than 44×44 px (a checkbox or radio button
# counts by its label, which is what a finger taps).
SMALL_TARGETS = """(selector) => [...document.querySelectorAll(selector)]
  .flatMap(root => [...root.querySelectorAll('button, select, input, a[href]')])
  .map(el => el.matches('[type=checkbox], [type=radio]') ? (el.closest('label') || el) : el)
  .filter(el => el.getClientRects().length > 0)
  .map(el => [(el.textContent || el.name || el.id).trim().slice(0, 12), el.getBoundingClientRect()])
  .filter(([, r]) => r.width < 44 || r.height < 44)
  .map(([name, r]) => name + ' ' + Math.round(r.width) + '×' + Math.round(r.height))"""

# Where an element is: its box, and whether it is on top where it starts (the topmost element
# at its horizontal centre, half its height or 20 px down, whichever is less, is inside it).
SEEN = """(el) => {
  const r = el.getBoundingClientRect();
  const top = document.elementFromPoint(r.left + r.width / 2, r.top + Math.min(r.height / 2, 20));
  return {left: r.left, top: r.top, right: r.right, bottom: r.bottom, onTop: el.contains(top)};
}"""


@pytest.fixture(scope="module")
def server(town_url: str) -> Iterator[tuple[str, str | None]]:
    """The app on this module's demo town; the browser logs in as a town leader."""
    yield from serve(town_url, "leader")


@pytest.fixture()
def phone(browser: Browser, server) -> Iterator[tuple[Page, Watch]]:
    p, w = open_page(browser, server[1], **PHONE)
    yield p, w
    p.context.close()


def tab(p: Page, key: str):
    return p.locator(f"#qzf-tabs [data-panel={key}]")


def tabs_height(p: Page) -> float:
    return p.locator("#qzf-tabs").bounding_box()["height"]


def test_on_a_phone_the_map_fills_the_screen(server, phone, demo_as_of):
    base, _ = server
    p, watch = phone
    p.goto(f"{base}/map?as_of={demo_as_of}")
    drawn(p)
    assert p.evaluate("QZF.phone") is True
    assert p.locator("#qzf-sheet").is_hidden()  # closed by default
    for key, panel in TABS.items():
        assert tab(p, key).is_visible() and p.locator(panel).is_hidden(), key
    share = p.evaluate(MAP_SHARE)
    print(f"\nphone 390×844, sheet closed: the map shows on {share:.1%} of the screen")
    assert share >= 0.8
    banner = p.locator("#synthetic-banner")  # still there, but small
    assert banner.is_visible() and "合成" in banner.inner_text()
    box = banner.bounding_box()
    assert box["y"] >= 0 and box["height"] <= 24 and box["width"] <= 0.75 * 390
    assert p.evaluate(SEEN, banner.element_handle())["onTop"]
    assert p.evaluate(SMALL_TARGETS, "#qzf-tabs, .leaflet-control-zoom") == []
    ARTIFACTS.mkdir(exist_ok=True)
    p.screenshot(path=ARTIFACTS / "map-phone.png")
    watch.check()


def test_each_panel_opens_and_closes_one_at_a_time(server, phone, demo_as_of):
    base, _ = server
    p, watch = phone
    p.goto(f"{base}/map?as_of={demo_as_of}")
    drawn(p)
    sheet = p.locator("#qzf-sheet")
    for i, (key, panel) in enumerate(TABS.items()):
        tab(p, key).tap()
        assert sheet.is_visible() and tab(p, key).get_attribute("aria-selected") == "true"
        for other, other_panel in TABS.items():  # one panel at a time
            assert p.locator(other_panel).is_visible() is (other == key), (key, other)
        box = sheet.bounding_box()  # above the tab bar, leaving the top of the map in sight
        assert box["y"] + box["height"] <= 844 - tabs_height(p) + 1
        assert box["y"] >= 0.35 * 844
        seen = p.evaluate(SEEN, p.locator(panel).element_handle())
        assert seen["left"] >= 0 and seen["right"] <= 390 and seen["onTop"], key
        assert p.evaluate(SMALL_TARGETS, "#qzf-sheet") == [], key
        if key == "filters":
            p.screenshot(path=ARTIFACTS / "map-phone-filters.png")
        # Closed by its tab, by the close button, or by a tap on the map, in turn.
        if i % 3 == 0:
            tab(p, key).tap()
        elif i % 3 == 1:
            p.locator("#qzf-sheet-close").tap()
        else:
            p.touchscreen.tap(195, 60)  # the empty top of the map
        assert sheet.is_hidden() and tab(p, key).get_attribute("aria-selected") == "false"
        assert p.evaluate(MAP_SHARE) >= 0.8
    # Another tab while one is open switches the sheet to it.
    tab(p, "filters").tap()
    tab(p, "legend").tap()
    assert p.locator("#qzf-legend").is_visible() and p.locator("#qzf-filters").is_hidden()
    # What the panels do works from the sheet: a layer switched on, a filter chosen.
    tab(p, "layers").tap()
    p.locator(".leaflet-control-layers-overlays label", has_text="安全隐患").tap()
    drawn(p)
    assert p.evaluate("QZF.map.hasLayer(QZF.layers.hazards)") and counts(p)["hazards"] > 0
    assert "hazards" in p.url.split("layers=")[1].split("&")[0].split("#")[0].split("%2C")
    tab(p, "filters").tap()
    p.select_option("#qzf-filters select[name=severity]", "major")
    drawn(p)
    assert "severity=major" in p.url
    tab(p, "filters").tap()  # closed: the tab still says two filters narrow the map
    assert p.locator("#qzf-tabs .qzf-badge-count").inner_text() == "2"  # as-of day, severity
    watch.check()


def _stable_box(p: Page, selector: str) -> dict:
    """The box of `selector` once it stops moving (the map pans to show a popup)."""
    last = None
    for _ in range(40):
        box = p.locator(selector).bounding_box()
        if box == last:
            return box
        last = box
        p.wait_for_timeout(100)
    raise AssertionError(f"{selector} kept moving")


def test_a_tapped_house_opens_a_popup_that_fits_the_screen(server, phone, demo_engine, demo_as_of):
    base, _ = server
    p, watch = phone
    with demo_engine.connect() as c:  # the house with the most hazards: the longest popup
        house_id, code, found = c.execute(
            text(
                "SELECT h.id, h.house_code, count(*) FROM houses h JOIN hazards z "
                "ON z.house_id = h.id WHERE h.geom IS NOT NULL AND z.found_on <= :d "
                "GROUP BY h.id ORDER BY count(*) DESC, h.id LIMIT 1"
            ),
            {"d": demo_as_of},
        ).one()
    p.goto(f"{base}/map?as_of={demo_as_of}&layers=units,houses")
    drawn(p)
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
    p.touchscreen.tap(x, y)
    p.locator(".leaflet-popup-content .qzf-house-popup").wait_for(timeout=10_000)
    assert code in p.locator(".qzf-house-popup h4").inner_text()
    assert f"{found} 处" in p.locator(".qzf-house-popup").inner_text()
    box = _stable_box(p, ".leaflet-popup")
    bottom = 844 - tabs_height(p)
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert box["y"] >= 0 and box["y"] + box["height"] <= bottom, box
    # Its hazards are longer than the screen: the popup scrolls inside, the page does not.
    content = p.locator(".leaflet-popup-content")
    inner = content.evaluate(
        "el => { el.scrollTop = 200; return [el.scrollHeight, el.clientHeight, el.scrollTop]; }"
    )
    assert inner[0] > inner[1] and inner[2] == 200, inner
    assert p.evaluate("[scrollX, scrollY]") == [0, 0]
    content.evaluate("el => { el.scrollTop = 0; }")
    p.screenshot(path=ARTIFACTS / "map-phone-popup.png")
    close = p.locator(".leaflet-popup-close-button")
    assert p.evaluate(SMALL_TARGETS, ".leaflet-popup") == []
    close.tap()
    assert p.locator(".leaflet-popup").count() == 0
    watch.check()


def test_the_ranking_is_two_taps_away(server, phone, demo_as_of):
    base, _ = server
    p, watch = phone
    p.goto(f"{base}/map?as_of={demo_as_of}")
    drawn(p)
    taps = 0
    tab(p, "dashboard").tap()
    taps += 1
    rows = p.locator("#qzf-ranking tr")
    rows.nth(1).wait_for(timeout=10_000)
    first = p.evaluate(SEEN, rows.nth(1).element_handle())  # on screen, not under anything
    assert first["onTop"] and first["top"] >= 0 and first["bottom"] <= 844 - tabs_height(p)
    assert taps <= 2
    units = p.eval_on_selector_all(
        "#qzf-filters select[name=unit_id] option[value]:not([value=''])",
        "os => os.map(o => o.textContent)",
    )
    ranked = rows.evaluate_all("rs => rs.slice(1).map(r => r.cells[1].textContent)")
    assert sorted(ranked) == sorted(units)  # every village and community, by score
    p.screenshot(path=ARTIFACTS / "map-phone-ranking.png")
    watch.check()


def _same_map(a: dict, b: dict) -> bool:
    """Two pages' states show the same map: all equal, the centre to within a pixel (a mobile
    browser's resize on load makes Leaflet compute the centre from pixels again)."""
    pixel = 156_543 / 2 ** a["zoom"] / 111_000  # degrees per pixel at the equator, at most
    close = all(abs(x - y) <= pixel for x, y in zip(a["centre"], b["centre"], strict=True))
    return close and {**a, "centre": None} == {**b, "centre": None}


def _state(p: Page) -> dict:
    """What the page shows: filters, overlays on, view, feature counts, the filter form."""
    return p.evaluate(
        """() => ({
          filters: QZF.state.filters, layers: QZF.layersOn().sort(), zoom: QZF.map.getZoom(),
          centre: [+QZF.map.getCenter().lat.toFixed(5), +QZF.map.getCenter().lng.toFixed(5)],
          counts: Object.fromEntries(QZF.layersOn().map(k => [k, QZF.counts[k]])),
          form: [...document.querySelectorAll('#qzf-filters [name]')]
            .map(e => e.name + '=' + e.value),
        })"""
    )


def test_a_link_shows_the_same_map_on_desktop_and_phone(server, browser, demo_engine, demo_as_of):
    base, token = server
    with demo_engine.connect() as c:
        unit_id, lat, lng = c.execute(  # the unit's centre, to the 5 decimals of a link
            text(
                "SELECT id, round(ST_Y(ST_Centroid(geom))::numeric, 5)::float, "
                "round(ST_X(ST_Centroid(geom))::numeric, 5)::float FROM units "
                "WHERE kind <> 'department' ORDER BY id LIMIT 1"
            )
        ).one()
    link = (
        f"{base}/map?as_of={demo_as_of}&unit_id={unit_id}&status=open,overdue"
        f"&layers=units,houses,overdue,heat#15/{lat}/{lng}"
    )
    desk, desk_watch = open_page(browser, token)
    phone, phone_watch = open_page(browser, token, **PHONE)
    try:
        desk.goto(link)
        phone.goto(link)
        drawn(desk)
        drawn(phone)
        assert phone.evaluate("QZF.phone") is True and desk.evaluate("QZF.phone") is False
        shown = _state(desk)
        assert shown["zoom"] == 15 and _same_map(shown, {**shown, "centre": [lat, lng]})
        assert shown["counts"]["houses"] > 0 and shown["layers"] == sorted(
            ["units", "houses", "overdue", "heat"]
        )
        assert _same_map(_state(phone), shown), (_state(phone), shown)
        # Changed on the phone (a filter, an overlay, the view), shared back to a desktop.
        tab(phone, "filters").tap()
        phone.select_option("#qzf-filters select[name=severity]", "major")
        drawn(phone)
        tab(phone, "layers").tap()
        phone.locator(".leaflet-control-layers-overlays label", has_text="热力图").tap()
        drawn(phone)
        phone.locator("#qzf-sheet-close").tap()
        phone.evaluate("QZF.map.setView([31.7, 120.07], 14, {animate: false}) && null")
        drawn(phone)
        changed = _state(phone)
        assert "heat" not in changed["layers"] and changed["filters"]["severity"] == "major"
        assert changed["zoom"] == 14
        desk.goto(phone.url)
        drawn(desk)
        assert _same_map(_state(desk), changed), (_state(desk), changed)
        desk_watch.check()
        phone_watch.check()
    finally:
        desk.context.close()
        phone.context.close()


def test_the_layout_follows_the_width(server, phone, demo_as_of):
    # Turned to a wide screen (a tablet, a desktop window), the panels go back to the corners.
    base, _ = server
    p, watch = phone
    p.goto(f"{base}/map?as_of={demo_as_of}")
    drawn(p)
    tab(p, "filters").tap()
    p.set_viewport_size({"width": 1280, "height": 800})
    p.locator(".leaflet-top.leaflet-left #qzf-filters").wait_for()
    assert p.evaluate("QZF.phone") is False and p.locator("#qzf-tabs").is_hidden()
    for panel, corner in (
        ("#qzf-filters", ".leaflet-top.leaflet-left"),
        (".leaflet-control-layers", ".leaflet-top.leaflet-right"),
        ("#qzf-legend", ".leaflet-bottom.leaflet-left"),
        ("#qzf-dashboard", ".leaflet-bottom.leaflet-right"),
    ):
        assert p.locator(f"{corner} {panel}").is_visible(), panel
    p.set_viewport_size({"width": 844, "height": 390})  # a phone turned sideways: still a phone
    p.locator("#qzf-sheet-body #qzf-filters").wait_for(state="attached")
    assert p.evaluate("QZF.phone") is True and p.locator("#qzf-sheet").is_hidden()
    tab(p, "legend").tap()
    box = p.locator("#qzf-sheet").bounding_box()  # beside the map, below the banner
    banner = p.locator("#synthetic-banner").bounding_box()
    assert box["width"] < 844 / 2 and box["y"] >= banner["y"] + banner["height"]
    watch.check()


def _timed_load(chromium: Browser, token: str | None, url: str, throttle: bool) -> dict:
    """Load `url` on a phone in a fresh context of `chromium` (an empty cache), the CPU slowed
    4× when `throttle`; the page's counts and timings once it is fully drawn."""
    context = chromium.new_context(**PHONE)
    external, errors = [], []
    try:
        if token:
            context.add_cookies([{"name": "geo_session", "value": token, "url": LOCAL[:-1]}])
        p = context.new_page()
        p.on("request", lambda r: None if r.url.startswith(LOCAL) else external.append(r.url))
        p.on("console", lambda m: errors.append(m.text) if _page_error(m) else None)
        p.on("pageerror", lambda e: errors.append(str(e)))
        if throttle:
            p.context.new_cdp_session(p).send("Emulation.setCPUThrottlingRate", {"rate": 4})
        started = time.perf_counter()
        p.goto(url)
        drawn(p)
        wall_ms = (time.perf_counter() - started) * 1000
        got = {
            "ready_ms": p.evaluate("QZF.readyAt"),
            "wall_ms": wall_ms,
            "counts": counts(p),
            "in_cluster": p.evaluate("QZF.layers.houses.getLayers().length"),
            "clusters": p.locator(".marker-cluster").count(),
            "heat_points": p.evaluate("QZF.layers.heat._latlngs.length"),
            "asked": p.evaluate(
                "performance.getEntriesByType('resource').map(e => e.name)"
                ".filter(n => n.includes('/map/data/') || n.includes('/analytics/density/'))"
            ),
        }
    finally:
        context.close()
    assert external == [] and errors == [], (external[:5], errors[:5])
    return got


def _page_error(message) -> bool:
    # The browser asks for /favicon.ico on its own; the app has none, and that 404 is not the
    # page's. Every other console error is.
    return message.type == "error" and not message.location["url"].endswith("/favicon.ico")


def test_fully_drawn_within_3_s_with_the_cpu_slowed_4x(server, browser, demo_engine, demo_as_of):
    """Time from navigation to `html[data-ready=1]` (QZF.readyAt, see docs/map.md) on a phone
    with Chromium's CPU throttling at 4×, an empty cache each time; one load first warms the
    server, so each try times the phone, not the server's first queries.

    The test does not intercept the page's requests one by one as the other tests do (a hook in
    the test process on every request is no part of a phone's time): this browser's resolver
    knows no host but 127.0.0.1, and any request elsewhere still fails the test. Other processes
    on a shared test machine only add to the time: the best of up to five loads must be under
    3 s; every try is reported, with the machine's load average."""
    base, token = server
    url = f"{base}/map?as_of={demo_as_of}&layers={TIMED_LAYERS}"
    with demo_engine.connect() as c:
        located = c.execute(text("SELECT count(*) FROM houses WHERE geom IS NOT NULL")).scalar()
    chromium = browser.browser_type.launch(
        executable_path="/usr/bin/chromium", args=[*CHROMIUM_ARGS, LOOPBACK_ONLY]
    )
    try:
        _timed_load(chromium, token, url, throttle=False)
        tries = []
        for _ in range(5):
            got = _timed_load(chromium, token, url, throttle=True)
            # Fully drawn means all of it: every house in the cluster group (its last chunk
            # added), clusters on the map, the heat map's points, the overdue items.
            n = got["counts"]
            assert n["houses"] == got["in_cluster"] == located and got["clusters"] > 0
            assert n["overdue"] > 0 and n["heat"] == got["heat_points"] > 0
            # Asked for early (QZF.prefetch) and drawn from that one request each.
            assert len(got["asked"]) == len(set(got["asked"])) >= 5, got["asked"]
            tries.append({"ready_ms": round(got["ready_ms"]), "wall_ms": round(got["wall_ms"])})
            if got["ready_ms"] < BUDGET_MS:
                break
    finally:
        chromium.close()
    best = min(t["ready_ms"] for t in tries)
    ARTIFACTS.mkdir(exist_ok=True)
    timing = {
        "viewport": "390x844@3x",
        "cpu_throttling": 4,
        "houses": located,
        "tries": tries,
        "load_average": os.getloadavg(),
    }
    (ARTIFACTS / "map-phone-timing.json").write_text(json.dumps(timing))
    print(f"\nphone, CPU 4× slower: fully drawn {best} ms after navigation (tries: {tries})")
    assert best < BUDGET_MS
