"""The `检查记录` sheet: inspections with their outcome, imported like the other sheets, linked
to the hazards they found (docs/inspections.md).

On the hand-made mini town of tests/etl_samples.py (today pinned to 2026-11-15): houses H001
(戴溪社区), H002 (岑村村), H003 (洛阳社区); hazards Z001 on H001 found 2026-01-31, Z002 on H002
found 2026-03-05, Z003 on H003 found 2026-06-01.
"""

from dataclasses import dataclass
from datetime import date

import psycopg2
import pytest
from access_helpers import PASSWORD
from etl_samples import (
    HAZARD_HEADERS,
    TODAY,
    clear_records,
    full_workbook,
    rows,
    run_import,
    scalar,
    setup_town,
    snapshot,
    workbook,
)

from etl.context import ImportOptions
from etl.importer import import_file
from geo_service.access import accounts
from geo_service.db import make_engine
from geo_service.uploads.scope import UploadScope, scope_for

HEADERS = ["房屋编号", "检查日期", "检查单位", "检查类型", "是否发现隐患", "备注"]


def history() -> list[list]:
    return [
        # row 2: the one inspection of H001 on Z001's day, found: Z001 links to it
        ["H001", date(2026, 1, 31), "戴溪社区", "自查", "是", "走廊私拉电线"],
        # rows 3, 4: two inspections of H002 on Z002's day: which found it is not known
        ["H002", "2026-03-05", "派出所", "专项检查", "是", None],
        ["H002", "2026/3/5", "督导组第1组", "督导", "是", None],
        # row 5: H003 on Z003's day, but it recorded 否: not the one that found Z003
        ["H003", "2026年6月1日", "洛阳社区", "自查", "否", None],
        # row 6: a hazard found and no hazard row for it: fine
        ["H003", date(2026, 7, 1), "洛阳社区", "回头看", "是", "电动车楼道充电"],
    ]


@pytest.fixture(scope="module")
def town(new_database, tmp_path_factory):
    url = new_database("inspections")
    tmp = tmp_path_factory.mktemp("inspections")
    setup_town(url, tmp)
    engine = make_engine(url, pool_size=1)
    with engine.begin() as c:
        users = {
            "village": accounts.add_user(c, "v_daixi", "village", PASSWORD, "戴溪社区"),
            "department": accounts.add_user(c, "d_zigui", "department", PASSWORD, "自规所"),
        }
    engine.dispose()
    return url, tmp, users


@pytest.fixture()
def fresh(town):
    """Houses H001–H003 and hazards Z001–Z003, no inspection (each test starts so)."""
    url, tmp, users = town
    clear_records(url)
    assert not run_import(url, full_workbook(tmp / "all.xlsx")).rejections
    return url, tmp, users


def _inspections(url: str) -> list[tuple]:
    return rows(
        url,
        "SELECT h.house_code, i.inspected_on, i.kind, i.unit_name, u.name, i.found_hazard,"
        " i.notes, i.source FROM inspections i JOIN houses h ON h.id = i.house_id"
        " LEFT JOIN units u ON u.id = i.unit_id ORDER BY 1, 2, 3",
    )


def _counts(result) -> tuple[int, int, int, int]:
    s = next(s for s in result.sheets if s.name == "检查记录")
    return s.inserted, s.updated, s.unchanged, s.rejected


def test_the_sheet_lands_with_units_kinds_and_outcomes(fresh):
    url, tmp, _ = fresh
    result = run_import(url, workbook(tmp / "检查.xlsx", {"检查记录": (HEADERS, history())}))
    assert not result.rejections and not result.error
    assert _counts(result) == (5, 0, 0, 0)
    # 检查单位 as written; unit_id where it names a unit (a village, a department), else NULL
    assert _inspections(url) == [
        ("H001", date(2026, 1, 31), "self", "戴溪社区", "戴溪社区", True, "走廊私拉电线", "sheet"),
        ("H002", date(2026, 3, 5), "special", "派出所", "派出所", True, None, "sheet"),
        ("H002", date(2026, 3, 5), "supervision", "督导组第1组", None, True, None, "sheet"),
        ("H003", date(2026, 6, 1), "self", "洛阳社区", "洛阳社区", False, None, "sheet"),
        ("H003", date(2026, 7, 1), "review", "洛阳社区", "洛阳社区", True, "电动车楼道充电",
         "sheet"),
    ]  # fmt: skip
    # every row audited under the importer's name
    assert scalar(url, "SELECT count(*) FROM audit_log WHERE table_name = 'inspections'") == 5


def test_hazards_link_to_the_one_inspection_that_found_them(fresh):
    url, tmp, _ = fresh
    run_import(url, workbook(tmp / "检查.xlsx", {"检查记录": (HEADERS, history())}))
    linked = rows(
        url,
        "SELECT z.hazard_code, h.house_code, i.inspected_on, i.kind FROM hazards z"
        " JOIN houses h ON h.id = z.house_id LEFT JOIN inspections i ON i.id = z.inspection_id"
        " ORDER BY 1",
    )
    # Z001: H001 has exactly one inspection on 2026-01-31 → linked. Z002: two on 2026-03-05 →
    # not known. Z003: the only one on 2026-06-01 recorded 否 → not the one that found it.
    assert linked == [
        ("Z001", "H001", date(2026, 1, 31), "self"),
        ("Z002", "H002", None, None),
        ("Z003", "H003", None, None),
    ]
    # The link is audited like any change of a hazard.
    assert rows(
        url,
        "SELECT record_key, after FROM audit_log WHERE table_name = 'hazards'"
        " AND after ? 'inspection_id' AND NOT after ? 'category'",
    ) == [("Z001", {"inspection_id": scalar(url, "SELECT inspection_id FROM hazards "
                                                  "WHERE hazard_code = 'Z001'")})]  # fmt: skip


def test_a_hazard_imported_later_links_to_the_inspection_already_there(fresh):
    url, tmp, _ = fresh
    first = [["H001", date(2026, 2, 10), "戴溪社区", "自查", "是", None]]
    assert not run_import(url, workbook(tmp / "a.xlsx", {"检查记录": (HEADERS, first)})).rejections
    hazard = [["Z004", "H001", "违规使用明火", None, date(2026, 2, 10), None, "是", "是", None,
               None, None, None]]  # fmt: skip
    assert not run_import(
        url, workbook(tmp / "b.xlsx", {"隐患": (HAZARD_HEADERS, hazard)})
    ).rejections
    got = rows(
        url,
        "SELECT i.inspected_on FROM hazards z JOIN inspections i ON i.id = z.inspection_id"
        " WHERE z.hazard_code = 'Z004'",
    )
    assert got == [(date(2026, 2, 10),)]


def test_the_view_gives_every_inspection_its_label(fresh):
    url, tmp, _ = fresh
    run_import(url, workbook(tmp / "检查.xlsx", {"检查记录": (HEADERS, history())}))
    # one more inspection of H001, 是否发现隐患 left empty and no hazard linked: not recorded
    extra = [["H001", date(2026, 4, 1), "戴溪社区", "自查", None, None]]
    run_import(url, workbook(tmp / "x.xlsx", {"检查记录": (HEADERS, extra)}))
    got = rows(
        url,
        "SELECT h.house_code, e.inspected_on, e.kind, e.found_hazard, e.hazards_found,"
        " e.major_found, e.source FROM inspection_events e JOIN houses h ON h.id = e.house_id"
        " ORDER BY 1, 2, 3",
    )
    # Z001 (私拉乱接电线) is general: 1 found, 0 major.
    assert got == [
        ("H001", date(2026, 1, 31), "self", True, 1, 0, "sheet"),
        ("H001", date(2026, 4, 1), "self", None, 0, 0, "sheet"),
        ("H002", date(2026, 3, 5), "special", True, 0, 0, "sheet"),
        ("H002", date(2026, 3, 5), "supervision", True, 0, 0, "sheet"),
        ("H003", date(2026, 6, 1), "self", False, 0, 0, "sheet"),
        ("H003", date(2026, 7, 1), "review", True, 0, 0, "sheet"),
    ]


def test_importing_again_updates_instead_of_duplicating(fresh):
    url, tmp, _ = fresh
    path = workbook(tmp / "检查.xlsx", {"检查记录": (HEADERS, history())})
    run_import(url, path)
    before = snapshot(url), _inspections(url)
    again = run_import(url, path)
    assert _counts(again) == (0, 0, 5, 0)
    assert (snapshot(url), _inspections(url)) == before
    # 联合督查 is 督导: the same row as row 4; a changed 备注 updates it, nothing is added
    changed = [["H002", date(2026, 3, 5), "督导组第1组", "联合督查", "是", "复查楼道"]]
    result = run_import(url, workbook(tmp / "c.xlsx", {"检查记录": (HEADERS, changed)}))
    assert _counts(result) == (0, 1, 0, 0)
    assert scalar(url, "SELECT count(*) FROM inspections") == 5
    assert scalar(url, "SELECT notes FROM inspections WHERE kind = 'supervision'") == "复查楼道"
    # a file without the 是否发现隐患 column keeps the stored outcome (an empty cell clears it)
    short = [["H003", date(2026, 6, 1), "洛阳社区", "自查"]]
    result = run_import(url, workbook(tmp / "d.xlsx", {"检查记录": (HEADERS[:4], short)}))
    assert _counts(result) == (0, 0, 1, 0)
    assert (
        scalar(url, "SELECT found_hazard FROM inspections WHERE inspected_on = '2026-06-01'")
        is False
    )


def test_bad_rows_are_refused_in_chinese_and_nothing_is_written(fresh):
    url, tmp, _ = fresh
    bad = [
        ["H001", date(2026, 1, 31), "戴溪社区", "自查", "是", None],
        ["H999", date(2026, 2, 1), "戴溪社区", "自查", "否", None],  # row 3: unknown house
        ["H001", date(2026, 11, 16), "戴溪社区", "自查", "否", None],  # row 4: after today
        ["H001", date(2026, 3, 1), "戴溪社区", "抽查", "否", None],  # row 5: unknown kind
        ["H001", "2026-01-31", "戴溪社区", "自查", "否", None],  # row 6: row 2 again
        ["H002", date(2026, 3, 1), "岑村村", "自查", "也许", None],  # row 7: not yes/no
        ["H002", date(2026, 3, 2), None, "自查", "否", None],  # row 8: no 检查单位
    ]
    before = snapshot(url), _inspections(url)
    result = run_import(url, workbook(tmp / "bad.xlsx", {"检查记录": (HEADERS, bad)}))
    assert result.rolled_back
    got = [(r.row, r.column, r.value, r.reason_zh) for r in result.rejections]
    assert got == [
        (3, "房屋编号", "H999", "房屋编号“H999”不存在（请先导入群租房表）"),
        (4, "检查日期", "2026-11-16", "日期晚于今天（2026-11-15）"),
        (5, "检查类型", "抽查", "检查类型须为 自查、专项检查、督导 或 回头看"),
        (6, "房屋编号", "H001 / 2026-01-31 / 自查 / 戴溪社区",
         "同一房屋、检查日期、检查类型和检查单位的记录在本文件中重复（第 2 行已出现）"),
        (7, "是否发现隐患", "也许", "无法识别的是/否值（可填 是/否、√/×、1/0、Y/N）"),
        (8, "检查单位", "", "必填项为空"),
    ]  # fmt: skip
    assert (snapshot(url), _inspections(url)) == before
    # accept-valid: row 2 lands, the others are reported
    kept = run_import(url, workbook(tmp / "bad.xlsx", {"检查记录": (HEADERS, bad)}), strict=False)
    assert _counts(kept) == (1, 0, 0, 6)
    assert [r[0] for r in _inspections(url)] == ["H001"]


# -- uploads: a village reports its own houses' inspections --------------------------------------


def _upload(url, path, scope, strict=True):
    conn = psycopg2.connect(url)
    try:
        options = ImportOptions(strict=strict, today=TODAY, actor=scope.user.username, scope=scope)
        return import_file(conn, path, options)
    finally:
        conn.close()


@dataclass(frozen=True)
class Unchecked(UploadScope):
    """The scope with its checks switched off: only the database stands in the way."""

    def check(self, parsed, ctx) -> None:
        pass


def test_a_village_uploads_its_own_houses_inspections_only(fresh):
    url, tmp, users = fresh
    path = workbook(tmp / "v.xlsx", {"检查记录": (HEADERS, history()[:2])})
    result = _upload(url, path, scope_for(users["village"]), strict=False)
    assert _counts(result) == (1, 0, 0, 1)
    mine = "村（社区）用户只能上报本单位（戴溪社区）的数据"
    assert [(r.row, r.column, r.reason_zh) for r in result.rejections] == [
        (3, "房屋编号", f"房屋“H002”属于岑村村，不属于本单位：{mine}")
    ]
    assert [r[:3] for r in _inspections(url)] == [("H001", date(2026, 1, 31), "self")]
    # its hazard Z001 linked under the village's role, audited under its name
    assert scalar(url, "SELECT inspection_id IS NOT NULL FROM hazards WHERE hazard_code = 'Z001'")
    assert scalar(
        url, "SELECT actor FROM audit_log WHERE table_name = 'hazards' AND after ? 'inspection_id'"
        " AND NOT after ? 'category'"
    ) == "v_daixi"  # fmt: skip
    # with the checks off, PostgreSQL refuses another unit's house: the whole file rolls back
    clear_records(url)
    assert not run_import(url, full_workbook(tmp / "all.xlsx")).rejections
    result = _upload(url, path, Unchecked(users["village"]))
    assert result.rolled_back and result.error and "row-level security" in result.error
    assert _inspections(url) == []


def test_a_department_may_not_upload_inspections(fresh):
    url, tmp, users = fresh
    path = workbook(tmp / "d.xlsx", {"检查记录": (HEADERS, history()[:1])})
    result = _upload(url, path, scope_for(users["department"]))
    assert result.rolled_back
    assert "不能上报检查记录表" in result.rejections[0].reason_zh
    assert _inspections(url) == []


def test_the_sheet_is_found_by_its_headers_and_exported_back(fresh, monkeypatch):
    from openpyxl import load_workbook
    from typer.testing import CliRunner

    from geo_service.cli import app

    url, tmp, _ = fresh
    # a sheet named otherwise is recognised by its headers (检查日期 alone would be 群租房's)
    assert not run_import(
        url, workbook(tmp / "s.xlsx", {"Sheet1": (HEADERS, history())})
    ).rejections
    monkeypatch.setenv("DATABASE_URL", url)
    out = tmp / "export"
    result = CliRunner().invoke(app, ["demo", "export", str(out)])
    assert result.exit_code == 0, result.output
    ws = load_workbook(out / "台账.xlsx")["检查记录"]
    assert [c.value for c in ws[1]] == HEADERS
    assert [c.value for c in ws[2]][:5] == ["H001", ws["B2"].value, "戴溪社区", "自查", "是"]
    assert ws["B2"].is_date and ws.max_row == 6
    # importing the export again changes nothing
    again = run_import(url, out / "台账.xlsx")
    assert _counts(again) == (0, 0, 5, 0)


# -- patrol visits are inspections too ------------------------------------------------------------


def test_a_patrol_visit_is_a_review_inspection_with_its_outcome(fresh):
    from datetime import datetime

    from geo_service.clock import town_tz
    from geo_service.domain.rules import RuleParams
    from geo_service.patrol.visits import NewHazard, Visit, record_visit

    url, _, _ = fresh
    house = scalar(url, "SELECT id FROM houses WHERE house_code = 'H002'")
    at = datetime(2026, 11, 10, 10, 0, tzinfo=town_tz())
    engine = make_engine(url, pool_size=1)
    with engine.begin() as c:
        found = record_visit(c, Visit(house, at, new_hazards=[NewHazard("ebike")], team="第1组"),
                             RuleParams())  # fmt: skip
        record_visit(c, Visit(house, at.replace(hour=15), checked=True), RuleParams())
        record_visit(c, Visit(house, at.replace(day=11), no_access=True), RuleParams())
    engine.dispose()
    got = rows(
        url,
        "SELECT inspected_on, kind, unit_name, found_hazard, hazards_found, major_found, source"
        " FROM inspection_events WHERE house_id = %s ORDER BY id",
        house,
    )
    # two visits on one day are two inspections; nobody got in on the 11th: not known
    assert got == [
        (date(2026, 11, 10), "review", "第1组", True, 1, 1, "visit"),  # 电瓶车: major
        (date(2026, 11, 10), "review", None, False, 0, 0, "visit"),
        (date(2026, 11, 11), "review", None, None, 0, 0, "visit"),
    ]
    linked = scalar(
        url, "SELECT inspection_id FROM hazards WHERE id = %s", found["hazards_created"][0]
    )
    assert linked == found["inspection_id"]


def test_the_migration_gives_earlier_visits_their_outcome(new_database):
    """Visits recorded before migration 0016 wrote a 'review' inspection without an outcome:
    the migration finds them (same house, recorder and town day) and fills it in."""
    from geo_service import migrate

    url = new_database("before_0016")
    migrate.downgrade(url, "0013_incident_privacy")
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO units (id, name, kind) VALUES (1, '戴溪社区', 'community');"
            "INSERT INTO houses (id, house_code, unit_id, address, landlord_name, rooms, beds,"
            " tenants, registered_tenants, is_registered, pledge_signed)"
            " VALUES (1, 'H1', 1, '戴溪社区人民路1号', '张三', 3, 4, 4, 4, true, true);"
            "INSERT INTO hazards (id, hazard_code, house_id, category, severity, found_on,"
            " due_on, posted_on_wall, entered_in_system)"
            " VALUES (7, 'RV-H1', 1, 'ebike', 'major', '2026-11-10', '2026-11-17', false, false);"
            # 23:30 UTC on the 9th is the 10th in Beijing: the inspection's day
            "INSERT INTO review_visits (house_id, hazard_id, visited_at, outcome, recorded_by)"
            " VALUES (1, 7, '2026-11-09 23:30+00', 'new_hazard', 'p1'),"
            "        (1, NULL, '2026-11-11 02:00+00', 'no_access', 'p1'),"
            "        (1, NULL, '2026-11-12 02:00+00', 'checked', 'p1');"
            "INSERT INTO inspections (id, house_id, inspected_on, kind, inspector) VALUES"
            " (1, 1, '2026-11-10', 'review', 'p1'), (2, 1, '2026-11-11', 'review', 'p1'),"
            " (3, 1, '2026-11-12', 'review', 'p1'), (4, 1, '2026-11-12', 'joint', '督导组');"
        )
    conn.close()
    migrate.upgrade(url)
    assert rows(url, "SELECT id, kind, found_hazard, source FROM inspections ORDER BY id") == [
        (1, "review", True, "visit"),
        (2, "review", None, "visit"),  # nobody got in
        (3, "review", False, "visit"),
        (4, "supervision", None, "other"),  # 联合督查 is 督导 now
    ]
    assert scalar(url, "SELECT inspection_id FROM hazards WHERE id = 7") == 1


def test_the_template_download_has_the_sheet_and_imports_when_filled(fresh):
    import io

    from access_helpers import auth_headers, secured_app
    from fastapi.testclient import TestClient
    from openpyxl import load_workbook

    url, tmp, _ = fresh
    app = secured_app(url)
    with TestClient(app) as client:
        r = client.get("/upload/template.xlsx", headers=auth_headers(app, "village", "戴溪社区"))
        refused = client.get("/upload/template.xlsx", headers=auth_headers(app, "leader"))
    assert r.status_code == 200 and refused.status_code == 403
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["单位", "群租房", "隐患", "检查记录", "警情"]
    assert [c.value for c in wb["检查记录"][1]] == [
        "房屋编号（必填）", "检查日期（必填）", "检查单位（必填）", "检查类型（必填）",
        "是否发现隐患", "备注",
    ]  # fmt: skip
    # filled in as a village would: only the 检查记录 sheet, one row
    for name in ("单位", "群租房", "隐患", "警情"):
        del wb[name]
    wb["检查记录"].append(["H001", date(2026, 5, 6), "戴溪社区", "自查", "否", None])
    wb.save(tmp / "filled.xlsx")
    result = run_import(url, tmp / "filled.xlsx")
    assert not result.rejections and _counts(result) == (1, 0, 0, 0)
