"""An upload changes only what its user may change: refused with a reason naming the unit
before anything is written, and refused by PostgreSQL when the checks are switched off.

The engine of `geo-service import` runs here directly (no HTTP) with the scope a web upload
gives it, on the hand-made mini town of tests/etl_samples.py: 戴溪社区, 岑村村, 洛阳社区 and the
departments 建设局, 自规所, 电力公司, 派出所. The village user belongs to 戴溪社区.
"""

from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest
from access_helpers import PASSWORD
from etl_samples import (
    HAZARD_HEADERS,
    HOUSE_HEADERS,
    TODAY,
    UNIT_HEADERS,
    clear_records,
    full_workbook,
    hazard_rows,
    house_rows,
    rows,
    run_import,
    setup_town,
    snapshot,
    workbook,
)

from etl.context import ImportOptions
from etl.importer import import_file
from geo_service.access import accounts
from geo_service.db import make_engine
from geo_service.uploads.scope import UploadScope, scope_for


@pytest.fixture(scope="module")
def town(new_database, tmp_path_factory):
    url = new_database("upload_scope")
    tmp = tmp_path_factory.mktemp("town")
    setup_town(url, tmp)
    engine = make_engine(url, pool_size=1)
    with engine.begin() as c:
        users = {
            "village": accounts.add_user(c, "v_daixi", "village", PASSWORD, "戴溪社区"),
            "department": accounts.add_user(c, "d_zigui", "department", PASSWORD, "自规所"),
            "police": accounts.add_user(c, "p_one", "police", PASSWORD),
            "admin": accounts.add_user(c, "a_one", "admin", PASSWORD),
        }
    engine.dispose()
    return url, tmp, users


@pytest.fixture()
def fresh(town):
    """The town with no houses, hazards, incidents or audit rows (each test starts so)."""
    url, tmp, users = town
    clear_records(url)
    return url, tmp, users


def upload(url: str, path: Path, scope, strict: bool = True):
    conn = psycopg2.connect(url)
    try:
        actor = scope.user.username if scope else "uploader"  # the audit policy checks it
        options = ImportOptions(strict=strict, today=TODAY, actor=actor, scope=scope)
        return import_file(conn, path, options)
    finally:
        conn.close()


def counts(result) -> dict[str, tuple[int, int, int, int]]:
    """Sheet → (inserted, updated, unchanged, rejected)."""
    return {s.name: (s.inserted, s.updated, s.unchanged, s.rejected) for s in result.sheets}


def refusals(result) -> list[tuple[str, int, str, str]]:
    return [(r.sheet, r.row, r.column, r.reason_zh) for r in result.rejections]


@dataclass(frozen=True)
class Unchecked(UploadScope):
    """The scope with its checks switched off: only the database stands in the way."""

    def check(self, parsed, ctx) -> None:
        pass


# -- a village -----------------------------------------------------------------------------------


def test_a_village_keeps_its_own_rows_and_is_refused_the_others_by_name(fresh):
    url, tmp, users = fresh
    v = users["village"]
    result = upload(url, full_workbook(tmp / "all.xlsx"), scope_for(v), strict=False)
    assert result.error is None
    # 单位: its own row (unchanged: same flags), the other 2 units and 4 departments refused;
    # 群租房: H001 (戴溪社区) in, H002 (岑村村) and H003 (洛阳社区) refused; 隐患: Z001 on H001
    # in, Z002/Z003 on houses that were not written; 警情: police only.
    assert counts(result) == {
        "单位": (0, 0, 1, 6),
        "群租房": (1, 0, 0, 2),
        "隐患": (1, 0, 0, 2),
        "警情": (0, 0, 0, 2),
    }
    got = refusals(result)
    mine = "村（社区）用户只能上报本单位（戴溪社区）的数据"
    assert ("群租房", 3, "所属单位", f"所属单位“岑村村”不是本单位：{mine}") in got
    assert ("群租房", 4, "所属单位", f"所属单位“洛阳社区”不是本单位：{mine}") in got
    assert ("单位", 3, "单位名称", f"单位“岑村村”不是本单位：{mine}") in got
    assert ("警情", 2, "警情编号", "警情只能由派出所上报") in got
    # in SQL: only 戴溪社区's house and its hazard; nothing of the other villages, no incident
    assert rows(url, "SELECT house_code FROM houses") == [("H001",)]
    assert rows(url, "SELECT hazard_code FROM hazards") == [("Z001",)]
    assert rows(url, "SELECT count(*) FROM incidents") == [(0,)]
    # written under the uploader's name, each row audited by the import
    assert rows(url, "SELECT actor, action, table_name, record_key FROM audit_log ORDER BY id") == [
        ("v_daixi", "insert", "houses", "H001"),
        ("v_daixi", "insert", "hazards", "Z001"),
    ]


def test_strict_upload_with_another_villages_rows_writes_nothing(fresh):
    url, tmp, users = fresh
    before = snapshot(url)
    result = upload(url, full_workbook(tmp / "all.xlsx"), scope_for(users["village"]))
    assert result.rolled_back and result.rejected_rows == 6 + 2 + 2 + 2
    assert snapshot(url) == before


def test_a_village_cannot_take_over_another_villages_house_or_hazard(fresh):
    url, tmp, users = fresh
    assert not run_import(url, full_workbook(tmp / "all.xlsx")).rejections  # the owner (CLI)
    h002 = house_rows()[1]
    h002[1], h002[2] = "戴溪社区", "洛阳镇戴溪社区人民路5号"  # claimed for 戴溪社区
    z002 = hazard_rows()[1]
    z002[11] = "2026-03-09"  # a new 整改日期 for 岑村村's hazard
    path = workbook(
        tmp / "claim.xlsx",
        {"群租房": (HOUSE_HEADERS, [h002]), "隐患": (HAZARD_HEADERS, [z002])},
    )
    before = snapshot(url)
    result = upload(url, path, scope_for(users["village"]), strict=False)
    mine = "村（社区）用户只能上报本单位（戴溪社区）的数据"
    assert refusals(result) == [
        ("群租房", 2, "房屋编号", f"房屋编号“H002”已登记在岑村村，不属于本单位：{mine}"),
        ("隐患", 2, "房屋编号", f"房屋“H002”属于岑村村，不属于本单位：{mine}"),
    ]
    assert snapshot(url) == before


def test_a_village_reports_its_own_responsibility_flags_not_its_type(fresh):
    url, tmp, users = fresh
    # etl_samples' 单位 sheet says 戴溪社区 made no annual plan (否); now it has one.
    path = workbook(
        tmp / "unit.xlsx",
        {
            "单位": (
                UNIT_HEADERS,
                [["戴溪社区", "社区", "是", "是"], ["戴溪社区村", "村", "是", "是"]],
            )
        },
    )
    result = upload(url, path, scope_for(users["village"]), strict=False)
    assert counts(result) == {"单位": (0, 1, 0, 1)}
    assert rows(url, "SELECT has_annual_plan FROM units WHERE name = '戴溪社区'") == [(True,)]
    assert rows(url, "SELECT count(*) FROM units WHERE name = '戴溪社区村'") == [(0,)]
    retype = workbook(
        tmp / "retype.xlsx", {"单位": (UNIT_HEADERS, [["戴溪社区", "村", "是", "是"]])}
    )
    result = upload(url, retype, scope_for(users["village"]), strict=False)
    assert refusals(result) == [
        ("单位", 2, "单位类型", "单位类型不能由村（社区）修改（系统中为社区）")
    ]
    assert rows(url, "SELECT kind FROM units WHERE name = '戴溪社区'") == [("community",)]


# -- a department and the police -----------------------------------------------------------------


def _hazard(code: str, house: str, category: str, severity, department, rectified) -> list:
    found = "2026-06-01"
    return [code, house, category, severity, found, None, "否", "否", department, None, rectified,
            None]  # fmt: skip


def test_a_department_changes_only_the_rectification_of_its_hazards(fresh):
    url, tmp, users = fresh
    assert not run_import(url, full_workbook(tmp / "all.xlsx")).rejections
    # Z003 (H003, 违法建设, transferred to 自规所): rectified on 2026-07-01 → written.
    # Z001 is 派出所's; Z999 does not exist; the second Z003 row also changes 隐患等级.
    sheet = [
        _hazard("Z003", "H003", "违法建设", None, "自规所", "2026-07-01"),
        [*hazard_rows()[0][:10], "2026-03-01", None],
        _hazard("Z999", "H003", "违法建设", None, "自规所", "2026-07-01"),
    ]
    changed = _hazard("Z003", "H003", "违法建设", "重大", "自规所", "2026-07-01")
    before = rows(url, "SELECT * FROM hazards WHERE hazard_code <> 'Z003' ORDER BY id")
    result = upload(
        url,
        workbook(tmp / "dept.xlsx", {"隐患": (HAZARD_HEADERS, sheet)}),
        scope_for(users["department"]),
        strict=False,
    )
    assert counts(result) == {"隐患": (0, 1, 0, 2)}
    assert refusals(result) == [
        ("隐患", 3, "隐患编号", "隐患“Z001”流转给了派出所，不是本部门（自规所）的隐患"),
        (
            "隐患",
            4,
            "隐患编号",
            "隐患“Z999”不存在：职能部门不能新增隐患，只能上报流转给本部门（自规所）的隐患的整改情况",
        ),
    ]
    assert rows(url, "SELECT rectified_on::text FROM hazards WHERE hazard_code = 'Z003'") == [
        ("2026-07-01",)
    ]
    assert rows(url, "SELECT * FROM hazards WHERE hazard_code <> 'Z003' ORDER BY id") == before
    result = upload(
        url,
        workbook(tmp / "dept2.xlsx", {"隐患": (HAZARD_HEADERS, [changed])}),
        scope_for(users["department"]),
    )
    assert refusals(result) == [
        ("隐患", 2, "隐患等级", "职能部门只能修改整改日期和复核日期；此列与系统中的值（一般）不同")
    ]
    assert rows(url, "SELECT severity FROM hazards WHERE hazard_code = 'Z003'") == [("general",)]


def test_the_police_upload_incidents_only(fresh):
    url, tmp, users = fresh
    result = upload(url, full_workbook(tmp / "all.xlsx"), scope_for(users["police"]), strict=False)
    assert counts(result)["警情"] == (2, 0, 0, 0)
    assert {s: c[3] for s, c in counts(result).items()} == {
        "单位": 7,
        "群租房": 3,
        "隐患": 3,
        "警情": 0,
    }
    assert (
        "群租房",
        2,
        "房屋编号",
        "派出所只能上报警情；群租房表请由村（社区）或系统管理员上报",
    ) in (refusals(result))
    assert rows(url, "SELECT incident_code FROM incidents ORDER BY 1") == [("J001",), ("J002",)]
    assert rows(url, "SELECT count(*) FROM houses") == [(0,)]


def test_the_administrator_imports_as_the_cli_does(town):
    assert scope_for(town[2]["admin"]) is None


# -- the database, when the checks are switched off ----------------------------------------------


def _claim_h002(tmp: Path) -> Path:
    h002 = house_rows()[1]
    h002[1], h002[2] = "戴溪社区", "洛阳镇戴溪社区人民路5号"
    return workbook(tmp / "claim.xlsx", {"群租房": (HOUSE_HEADERS, [h002])})


CASES = {
    # a house of another village, as written in the sheet
    "village_other_unit": ("village", lambda tmp: workbook(
        tmp / "other.xlsx", {"群租房": (HOUSE_HEADERS, [house_rows()[1]])})),
    # 岑村村's existing house, claimed for 戴溪社区
    "village_takeover": ("village", _claim_h002),
    # another department's hazard, and a hazard that does not exist
    "department_other": ("department", lambda tmp: workbook(
        tmp / "z1.xlsx", {"隐患": (HAZARD_HEADERS, [[*hazard_rows()[0][:10], "2026-03-01",
                                                     None]])})),
    "department_new": ("department", lambda tmp: workbook(
        tmp / "z9.xlsx", {"隐患": (HAZARD_HEADERS, [_hazard("Z999", "H003", "违法建设", None,
                                                           "自规所", "2026-07-01")])})),
    # houses from the police
    "police_houses": ("police", lambda tmp: workbook(
        tmp / "ph.xlsx", {"群租房": (HOUSE_HEADERS, [house_rows()[0]])})),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_database_refuses_what_the_checks_would_have_refused(fresh, case):
    url, tmp, users = fresh
    assert not run_import(url, full_workbook(tmp / "all.xlsx")).rejections
    role, make = CASES[case]
    path = make(tmp)
    checked = upload(url, path, scope_for(users[role]), strict=False)
    assert checked.rejections and not checked.error  # refused by the checks, with a reason
    before = snapshot(url)
    result = upload(url, path, Unchecked(users[role]), strict=False)
    assert result.rolled_back
    assert result.error.startswith("数据库拒绝了本文件，已全部回滚"), result.error
    assert snapshot(url) == before
