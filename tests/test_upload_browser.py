"""上报数据 and 用户管理 end to end: a real uvicorn server of the app on the mini town of
tests/etl_samples.py, the system Chromium driven by Playwright, every request not to 127.0.0.1
blocked, and any console error a failure.

A village user (戴溪社区) uploads a good workbook and sees its counts, uploads one with errors
and downloads the report, uploads another village's rows and sees them refused while that
village's rows stay as they were (SQL); a large upload shows its progress; an administrator
adds a user who then logs in. Screenshots go to test-artifacts/ (the docs' pictures).
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from access_helpers import PASSWORD, ensure_user, token_for
from etl_samples import (
    HOUSE_HEADERS,
    door,
    house_rows,
    rows,
    run_import,
    setup_town,
    workbook,
)
from live_server import live_app, system_chromium
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page

from geo_service.api.routes import imports
from geo_service.crs import wgs84_to_gcj02

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
LOCAL = "http://127.0.0.1:"
CENCUN = (
    "SELECT h.* FROM houses h JOIN units u ON u.id = h.unit_id WHERE u.name = '岑村村' "
    "ORDER BY h.id"
)


@pytest.fixture(scope="module")
def town(new_database, tmp_path_factory) -> tuple[str, Path]:
    url = new_database("upload_browser")
    tmp = tmp_path_factory.mktemp("town")
    setup_town(url, tmp)
    # 岑村村's own house H002, imported by the owner (the CLI)
    cencun = workbook(tmp / "岑村村.xlsx", {"群租房": (HOUSE_HEADERS, [house_rows()[1]])})
    assert not run_import(url, cencun, actor="cli:ops").rejections
    return url, tmp


@pytest.fixture(scope="module")
def server(town) -> Iterator[tuple[str, object]]:
    url, _ = town
    with live_app(url) as served:
        yield served


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with system_chromium() as b:
        yield b


class Watch:
    def __init__(self) -> None:
        self.external: list[str] = []
        self.errors: list[str] = []
        self.polls = 0

    def check(self) -> None:
        assert self.external == [], f"external requests: {self.external[:5]}"
        assert self.errors == [], f"console errors: {self.errors[:5]}"


def open_page(browser: Browser, app=None, role: str | None = None, unit: str | None = None,
              username: str | None = None) -> tuple[Page, Watch]:  # fmt: skip
    """A page of a new browser context, logged in as that user (the login page's cookie)."""
    page = browser.new_page(viewport={"width": 1280, "height": 860}, accept_downloads=True)
    if role:
        user = ensure_user(app, role, unit, username)
        cookie = {"name": "geo_session", "value": token_for(app, user), "url": "http://127.0.0.1"}
        page.context.add_cookies([cookie])
    watch = Watch()

    def route(r) -> None:
        if r.request.url.startswith(LOCAL):
            if "/imports/" in r.request.url and r.request.method == "GET":
                watch.polls += 1
            r.continue_()
        else:
            watch.external.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.errors.append(str(e)))
    return page, watch


def upload(page: Page, path: Path, accept_valid: bool = False) -> None:
    page.set_input_files("#files", str(path))
    if accept_valid:
        page.check("#accept_valid")
    page.click("#submit")
    page.wait_for_selector("#job", timeout=60_000)


def count(page: Page, sheet: str, key: str) -> str:
    return page.inner_text(f'tr[data-sheet="{sheet}"] td[data-count="{key}"]')


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / name, full_page=True)


def test_a_village_uploads_a_good_workbook_and_sees_its_counts(server, town, browser):
    base, app = server
    url, tmp = town
    page, watch = open_page(browser, app, "village", "戴溪社区")
    page.goto(f"{base}/upload")
    assert "本单位（戴溪社区）" in page.inner_text("main")
    good = workbook(tmp / "戴溪社区台账.xlsx", {"群租房": (HOUSE_HEADERS, [house_rows()[0]])})
    upload(page, good)
    card = page.locator('section[data-file="戴溪社区台账.xlsx"]')
    assert card.locator(".badge").inner_text() == "已导入"
    assert (count(page, "群租房", "inserted"), count(page, "群租房", "rejected")) == ("1", "0")
    assert rows(url, "SELECT address FROM houses WHERE house_code = 'H001'") == [
        ("洛阳镇戴溪社区人民路3号",)
    ]
    shot(page, "upload.png")
    watch.check()
    page.close()


def test_a_village_uploads_errors_and_downloads_the_report(server, town, browser, tmp_path):
    base, app = server
    url, tmp = town
    page, watch = open_page(browser, app, "village", "戴溪社区")
    page.goto(f"{base}/upload")
    bad = house_rows()[0]
    bad[0], bad[14] = "H010", 99  # 已登记租住人数 99 > 租住人数 15
    upload(page, workbook(tmp / "有错误.xlsx", {"群租房": (HOUSE_HEADERS, [bad])}))
    card = page.locator('section[data-file="有错误.xlsx"]')
    assert card.locator(".badge").inner_text() == "未导入（有错误）"
    first = card.locator("table.rejections tbody tr").first.locator("td").all_inner_texts()
    assert first == ["群租房", "2", "已登记租住人数", "99.0", "已登记租住人数大于租住人数"]
    with page.expect_download() as download:
        card.locator("a.report").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "有错误_错误报告.xlsx"
    ws = load_workbook(saved).active
    assert [c.value for c in ws[2]][1:6] == [
        "群租房",
        2,
        "已登记租住人数",
        "99.0",
        "已登记租住人数大于租住人数",
    ]
    assert rows(url, "SELECT count(*) FROM houses WHERE house_code = 'H010'") == [(0,)]
    shot(page, "upload-errors.png")
    watch.check()
    page.close()


def test_another_villages_rows_are_refused_and_stay_unchanged(server, town, browser):
    base, app = server
    url, tmp = town
    before = rows(url, CENCUN)
    assert [r[1] for r in before] == ["H002"]
    page, watch = open_page(browser, app, "village", "戴溪社区")
    page.goto(f"{base}/upload")
    h002 = house_rows()[1]
    h002[12] = 40  # 床位数 of 岑村村's H002
    h004 = [*house_rows()[1]]
    h004[0] = "H004"  # a new house for 岑村村
    mine = [*house_rows()[0]]
    mine[0] = "H005"
    path = workbook(tmp / "混合.xlsx", {"群租房": (HOUSE_HEADERS, [mine, h002, h004])})
    upload(page, path, accept_valid=True)
    card = page.locator('section[data-file="混合.xlsx"]')
    assert card.locator(".badge").inner_text() == "已导入正确的行"
    assert (count(page, "群租房", "inserted"), count(page, "群租房", "rejected")) == ("1", "2")
    reasons = card.locator("table.rejections tbody tr td:nth-child(5)").all_inner_texts()
    assert (
        reasons
        == ["所属单位“岑村村”不是本单位：村（社区）用户只能上报本单位（戴溪社区）的数据"] * 2
    )
    assert rows(url, CENCUN) == before  # 岑村村's house exactly as it was, and no new one
    assert rows(url, "SELECT u.name FROM houses h JOIN units u ON u.id = h.unit_id "
                     "WHERE house_code = 'H005'") == [("戴溪社区",)]  # fmt: skip
    shot(page, "upload-refused.png")
    watch.check()
    page.close()


def test_a_large_upload_shows_its_progress_then_its_result(server, town, browser, monkeypatch):
    base, app = server
    url, tmp = town
    monkeypatch.setattr(imports, "INLINE_BYTES", 0)  # every upload answered as a job (202)
    template = house_rows()[0]
    many = [[f"P{i:05d}", *template[1:]] for i in range(6000)]
    path = workbook(tmp / "六千户.xlsx", {"群租房": (HOUSE_HEADERS, many)})
    page, watch = open_page(browser, app, "village", "戴溪社区")
    page.goto(f"{base}/upload")
    page.set_input_files("#files", str(path))
    page.click("#submit")
    page.wait_for_selector("#progress:not([hidden])")
    # the bar moved (a selector, not a script: the page's CSP forbids evaluating strings)
    page.wait_for_selector('#bar:not([value="0"])', state="attached", timeout=120_000)
    if page.is_visible("#progress"):  # the picture for the docs, when the job is still running
        shot(page, "upload-progress.png")
    page.wait_for_selector("#job", timeout=120_000)
    assert watch.polls >= 1  # the page followed the job
    assert count(page, "群租房", "inserted") == "6000"
    assert rows(url, "SELECT count(*) FROM houses WHERE left(house_code, 1) = 'P'") == [(6000,)]
    page.goto(f"{base}/upload/history")
    assert page.locator("#history tbody tr").count() >= 4
    assert "六千户.xlsx" in page.inner_text("#history")
    shot(page, "upload-history.png")
    watch.check()
    page.close()


def test_an_administrator_adds_a_user_who_then_logs_in(server, browser):
    base, app = server
    page, watch = open_page(browser, app, "admin", username="admin")
    page.goto(f"{base}/admin/users")
    page.fill("#add-user input[name=username]", "chen01")
    page.fill("#add-user input[name=display_name]", "陈网格")
    page.select_option("#add-user select[name=role]", "village")
    page.select_option("#add-user select[name=unit]", "岑村村")
    page.fill("#add-user input[name=password]", PASSWORD)
    page.click("#add-user button[type=submit]")
    page.wait_for_selector(".msg.ok")
    assert page.inner_text(".msg.ok") == "已新增用户：chen01"
    row = page.locator('tr[data-user="chen01"]')
    assert "陈网格" in row.inner_text() and "岑村村" in row.inner_text()
    shot(page, "admin-users.png")
    page.goto(f"{base}/admin/audit?action=user_add")
    assert page.locator('#audit tr[data-action="user_add"][data-actor="admin"]').count() == 1
    shot(page, "admin-audit.png")
    watch.check()
    page.close()

    fresh, watch = open_page(browser)  # no session: the login page
    fresh.goto(f"{base}/upload")
    assert "/login" in fresh.url
    fresh.fill("#username", "chen01")
    fresh.fill("#password", PASSWORD)
    fresh.click("button[type=submit]")
    fresh.wait_for_url(f"{base}/upload")
    assert "陈网格 · 村（社区） · 岑村村" in fresh.inner_text(".bar .who")
    assert "本单位（岑村村）" in fresh.inner_text("main")
    menu = fresh.locator(".bar nav a").all_inner_texts()
    assert menu == ["地图", "上报数据", "上报记录"]  # no 用户管理 for a village
    watch.check()
    fresh.close()


def test_the_map_has_the_menu_of_the_role(server, browser):
    base, app = server
    page, watch = open_page(browser, app, "admin", username="admin")
    page.goto(f"{base}/map")
    page.click("#qzf-menu summary")
    links = page.locator("#qzf-menu nav a").all_inner_texts()
    assert links == ["地图", "上报数据", "上报记录", "用户管理", "审计日志"]
    shot(page, "map-menu.png")
    watch.check()
    page.close()
    leader, watch = open_page(browser, app, "leader")
    leader.goto(f"{base}/map")
    assert leader.locator("#qzf-menu").count() == 0  # nothing but the map for a leader
    watch.check()
    leader.close()


def test_gcj02_coordinates_are_warned_about_and_read_right_when_chosen(server, town, browser):
    """Six 戴溪社区 doors picked on Amap (GCJ-02) with no 坐标系 written: the warning; then the
    same file with 坐标系 GCJ02 chosen on the page: no warning, the houses on their doors."""
    base, app = server
    url, tmp = town
    sheet = []
    for n in range(1, 7):
        x, y = wgs84_to_gcj02(*door("戴溪社区", "人民路", n))
        row = [*house_rows()[0]]
        row[0], row[2], row[3], row[4], row[5] = f"G{n}", f"戴溪社区人民路{n}号", x, y, None
        sheet.append(row)
    path = workbook(tmp / "高德取点.xlsx", {"群租房": (HOUSE_HEADERS, sheet)})
    page, watch = open_page(browser, app, "village", "戴溪社区")
    page.goto(f"{base}/upload")
    upload(page, path)
    warning = page.inner_text(".msg.warn.gcj")
    assert "6 行标为 WGS84" in warning and "GCJ02" in warning and "坐标系" in warning
    shot(page, "upload-gcj02.png")
    page.goto(f"{base}/upload")
    page.select_option("#crs", "GCJ02")
    upload(page, path)
    assert page.locator(".msg.warn.gcj").count() == 0
    off = rows(
        url,
        "SELECT max(ST_Distance(h.geom::geography, a.geom::geography)) FROM houses h "
        "JOIN addresses a ON a.normalized = h.address "
        "WHERE left(h.house_code, 1) = 'G'",
    )[0][0]
    assert off < 0.5  # metres: read as GCJ-02, each house stands on its door
    watch.check()
    page.close()
