"""附件2 statistics table on the hand-made town (tests/analytics_data.py), D = 2026-05-31."""

from io import BytesIO

import pytest
from analytics_data import D, load
from openpyxl import load_workbook

from geo_service.analytics.table import table_rows
from geo_service.analytics.table_xlsx import LEAVES, workbook_bytes
from geo_service.domain.rules import load_rule_params
from geo_service.scope import make_scope

P = load_rule_params()


@pytest.fixture(scope="module")
def report(engine):
    load(engine)
    with engine.connect() as conn:
        return table_rows(conn, make_scope(as_of=D), P)


def _rates(row):
    return {k: r.display for k, r in row.rates.items()}


def _row(report, unit):
    return next(r for r in report.rows if r.unit == unit)


def test_jiacun_row(report):
    a = _row(report, "甲村")
    assert (a.task_list, a.annual_plan) == ("是", "是")
    assert _rates(a) == {
        "house_registration": "75.0",  # 3 registered / 4 houses
        "tenant_registration": "94.0",  # 94 / 100
        "second_landlord_registration": "50.0",  # 张三 yes, 李四 no: 1 / 2
        "pledge": "50.0",  # JA-01, JA-04: 2 / 4
        # inspected in May 1–31: JA-01 (last May 10), JA-02 (record May 31 = D);
        # not JA-03 (record Jun 1 > D), not JA-04 (last Jun 2 > D) → 2 / 4
        "investigation": "50.0",
        "transfer": "50.0",  # HA-1, HA-4, HA-7 of 6 counted → 3 / 6
        "rectification": "33.3",  # HA-4, HA-7 rectified ≤ D: 2 / 6 = 33.33…
    }
    # (处) columns: found ≤ D, rectified or not; HA-5 (unauthorised change) found Jun 1: 0
    assert a.counts == {
        "unauthorised_change": 0,
        "below_standard": 0,
        "dangerous_house": 1,
        "lpg_cylinder": 1,
        "open_flame": 1,
        "improvised_wiring": 1,
        "blocked_escape": 0,
        "ebike": 1,  # HA-4 rectified, still counted
        "fire_equipment_missing": 1,
    }
    # CCTV required: JA-01 (10 rooms), JA-02 (40 tenants), JA-04 (10 beds); JA-03 is 9/9/9.
    # Compliant: JA-01 only (JA-02 keeps 29 days, JA-04 not installed).
    assert (a.cctv_required, a.cctv_compliant) == (3, 1)


def test_dashes_for_zero_denominators(report):
    # 丙村 has no houses and no hazards: every rate is —.
    assert set(_rates(_row(report, "丙村")).values()) == {"—"}
    b = _rates(_row(report, "乙社区"))
    assert b["second_landlord_registration"] == "—"  # no second landlord in the unit
    assert b["tenant_registration"] == "95.0"  # 94.99 % shown to one decimal
    assert b["transfer"] == "0.0"  # 0 / 1
    d = _rates(_row(report, "丁村"))
    assert d["tenant_registration"] == "95.0"  # 19 / 20 exactly
    assert (d["transfer"], d["rectification"]) == ("—", "—")  # no hazards
    assert _row(report, "乙社区").annual_plan == "否"  # not recorded counts as not made


def test_town_total_recomputed_not_averaged(report):
    t = report.rows[-1]
    assert t.unit == "合计" and t.is_total
    assert [r.unit for r in report.rows[:-1]] == ["丁村", "丙村", "乙社区", "甲村"]
    assert (t.task_list, t.annual_plan) == ("3/4", "3/4")  # 乙社区 lacks both
    assert _rates(t) == {
        "house_registration": "94.1",  # (3 + 12 + 0 + 1) / (4 + 12 + 0 + 1) = 16/17 = 94.12
        # (94 + 9499 + 19) / (100 + 10000 + 20) = 9612/10120 = 94.98 → 95.0
        # (the mean of the unit rates 94.0, 94.99, 95.0 would be 94.66 → 94.7)
        "tenant_registration": "95.0",
        "second_landlord_registration": "66.7",  # (1 + 1) / (2 + 1) = 2/3
        "pledge": "17.6",  # (2 + 0 + 1) / 17 = 17.65
        "investigation": "17.6",  # (2 + 0 + 1 [丁村 May 1]) / 17
        "transfer": "42.9",  # (3 + 0) / (6 + 1) = 42.86
        "rectification": "28.6",  # 2 / 7 = 28.57
    }
    assert t.rates["tenant_registration"].numerator == 9612
    assert t.rates["tenant_registration"].denominator == 10120
    # 甲村 3 + 乙社区 2 (YB-01, YB-02 by tenants) + 丁村 1 (20 tenants); compliant JA-01, YB-01
    assert (t.cctv_required, t.cctv_compliant) == (6, 2)
    assert t.counts["lpg_cylinder"] == 1 and t.counts["unauthorised_change"] == 0


def test_workbook_headers_merged_and_values(report):
    wb = load_workbook(BytesIO(workbook_bytes(report)))
    ws = wb.active
    merged = {str(m) for m in ws.merged_cells.ranges}
    ncol = 1 + len(LEAVES)  # 单位 + 20 leaf columns = 21 → column U
    assert ncol == 21
    assert "A2:A4" in merged and ws["A2"].value == "单位"
    assert "B2:C3" in merged and ws["B2"].value == "安全管理责任落实情况"
    assert "D2:U2" in merged and ws["D2"].value == "安全管理问题情况"
    assert "D3:F3" in merged and ws["D3"].value == "房屋安全"
    assert "G3:J3" in merged and ws["G3"].value == "人房登记"
    assert "K3:M3" in merged and ws["K3"].value == "隐患排查、流转、整改"
    assert "N3:O3" in merged and ws["N3"].value == "安防设施配备"
    assert "P3:U3" in merged and ws["P3"].value == "消防安全"
    assert ws["B4"].value == "是否制定职责任务清单"
    assert ws["G4"].value == "群租房登记率(%)"
    assert ws["U4"].value == "未配备灭火、逃生器材(处)"
    rows = {ws.cell(r, 1).value: r for r in range(5, 5 + len(report.rows))}
    a = rows["甲村"]
    assert ws.cell(a, 7).value == 75.0 and ws.cell(a, 7).number_format == "0.0"
    assert ws.cell(a, 13).value == 33.3  # 整改率
    assert ws.cell(rows["丙村"], 7).value == "—"
    assert ws.cell(rows["合计"], 8).value == 95.0  # town tenant rate
    assert ws.cell(rows["合计"], 2).value == "3/4"
    assert ws.cell(rows["合计"], 1).font.bold
