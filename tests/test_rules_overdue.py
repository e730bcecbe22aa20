"""Overdue sets (逾期未整改) and CCTV compliance on the hand-made town, by hand."""

import json
from datetime import date

import pytest
from analytics_data import D, load

from geo_service.analytics.cctv import cctv
from geo_service.analytics.overdue import overdue, overdue_geojson
from geo_service.domain.rules import load_rule_params
from geo_service.errors import ValidationError
from geo_service.scope import make_scope

P = load_rule_params()


@pytest.fixture(scope="module")
def conn(engine):
    load(engine)
    with engine.connect() as c:
        yield c


def _codes(report):
    return [(i.hazard_code, i.status, i.days_overdue) for i in report.items]


def test_overdue_on_d(conn):
    r = overdue(conn, make_scope(as_of=D), P)
    # HA-3: general found Jan 31 → due Apr 30 → May 31 − Apr 30 = 31 days; fixed Jun 5 > D.
    # HA-2: major found May 23 → due May 30 → 1 day. HA-1 due May 31 = D: not overdue.
    assert _codes(r) == [("HA-3", "overdue", 31), ("HA-2", "overdue", 1)]
    assert r.by_unit == {"甲村": 2}
    ha3 = r.items[0]
    assert ha3.department == "电力公司"  # transferred-to department recorded
    assert r.items[1].department == "派出所"  # else the category's department
    assert ha3.due_on == date(2026, 4, 30) and ha3.severity == "general"
    assert ha3.unit == "甲村" and ha3.house_code == "JA-02"


def test_deadline_day_vs_day_after(conn):
    # D = May 30: HA-2 due today → not overdue; HA-7 (due May 28, fixed May 31 > D) → 2 days.
    assert _codes(overdue(conn, make_scope(as_of=date(2026, 5, 30)), P)) == [
        ("HA-3", "overdue", 30),
        ("HA-7", "overdue", 2),
    ]
    # D = Jun 1: HA-1 (due May 31) is 1 day late; HA-5 found Jun 1 is due Sep 1.
    assert _codes(overdue(conn, make_scope(as_of=date(2026, 6, 1)), P)) == [
        ("HA-3", "overdue", 32),
        ("HA-2", "overdue", 2),
        ("HA-1", "overdue", 1),
    ]


def test_due_within(conn):
    # HA-1 due May 31 (0 days left), HA-6 notice Jun 30 (30 days left), HB-1 Aug 31 (92).
    r30 = overdue(conn, make_scope(as_of=D), P, due_within=30)
    assert [
        (i.hazard_code, i.status, i.days_left) for i in r30.items if i.status == "due_soon"
    ] == [
        ("HA-1", "due_soon", 0),
        ("HA-6", "due_soon", 30),
    ]
    assert (r30.overdue_count, r30.due_soon_count) == (2, 2)
    r29 = overdue(conn, make_scope(as_of=D), P, due_within=29)
    assert [i.hazard_code for i in r29.items if i.status == "due_soon"] == ["HA-1"]
    with pytest.raises(ValidationError):
        overdue(conn, make_scope(as_of=D), P, due_within=-1)


def test_overdue_filters(conn):
    def codes(**kw):
        return [i.hazard_code for i in overdue(conn, make_scope(as_of=D, **kw), P).items]

    assert codes(severity="重大") == ["HA-2"]
    assert codes(severity="general") == ["HA-3"]
    assert codes(category=["私拉乱接电线"]) == ["HA-3"]
    assert codes(unit=["乙社区"]) == []
    assert codes(key_area_kind="urban_village") == ["HA-3", "HA-2"]  # JA-01, JA-02 inside
    assert codes(found_from=date(2026, 5, 1)) == ["HA-2"]  # HA-3 found Jan 31
    with pytest.raises(ValidationError):
        make_scope(category=["不存在的类别"])


def test_overdue_page_keeps_totals(conn):
    # All of D + 30 days: HA-3, HA-2 (overdue), HA-1, HA-6 (due soon): 4 items.
    r = overdue(conn, make_scope(as_of=D), P, due_within=30, limit=1, offset=3)
    assert [i.hazard_code for i in r.items] == ["HA-6"]
    assert (r.total, r.overdue_count, r.due_soon_count, r.next_offset) == (4, 2, 2, None)
    assert r.by_unit == {"甲村": 2}
    everything = overdue(conn, make_scope(as_of=D), P, due_within=30)
    assert (everything.limit, len(everything.items), everything.next_offset) == (None, 4, None)
    with pytest.raises(ValidationError, match="每页条数"):
        overdue(conn, make_scope(as_of=D), P, limit=0)
    with pytest.raises(ValidationError, match="起始位置"):
        cctv(conn, make_scope(as_of=D), P, offset=-1)


def test_cctv_page_keeps_unit_figures(conn):
    # 甲村 only, with the fire kit: JA-02, JA-04 (test_cctv_with_fire_kit) → page 2 of size 1.
    r = cctv(conn, make_scope(as_of=D, unit=["甲村"]), P, fire_kit=True, limit=1, offset=1)
    assert [h.house_code for h in r.houses] == ["JA-04"]
    assert (r.total, r.next_offset) == (2, None)
    (a,) = r.units
    assert (a.listed, a.cctv_required, a.cctv_missing, a.fire_kit_incomplete) == (2, 3, 1, 1)


def test_overdue_geojson(conn):
    fc = json.loads(overdue_geojson(overdue(conn, make_scope(as_of=D), P)))
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 2
    f = fc["features"][0]
    assert f["geometry"] == {"type": "Point", "coordinates": [120.004, 31.702]}  # JA-02
    assert f["properties"]["hazard_code"] == "HA-3"


def test_cctv_compliance(conn):
    r = cctv(conn, make_scope(as_of=D), P)
    units = {u.unit: u for u in r.units}
    a = units["甲村"]
    # required: JA-01 (rooms 10), JA-02 (tenants 40), JA-04 (beds 10); compliant JA-01;
    # JA-02 retention 29 < 30; JA-04 not installed.
    assert (a.cctv_required, a.cctv_compliant, a.cctv_missing, a.cctv_short_retention) == (
        3,
        1,
        1,
        1,
    )
    # fire kit: JA-01 all three; JA-02 masks absent; JA-03 unknown; JA-04 two of three known
    assert (a.fire_kit_complete, a.fire_kit_incomplete, a.fire_kit_unchecked) == (1, 1, 2)
    assert (units["丙村"].houses, units["丙村"].cctv_required) == (0, 0)
    houses = {h.house_code: h for h in r.houses}
    # DD-01 (20 tenants, none installed), YB-02 (1000 tenants, not installed), JA-02, JA-04
    assert sorted(houses) == ["DD-01", "JA-02", "JA-04", "YB-02"]
    assert houses["JA-02"].cctv_violation == "short_retention"
    assert houses["JA-02"].triggers == ["tenants"]
    assert houses["JA-02"].reason_zh == "租住40人，监控录像保存29天，不足30天"
    assert houses["JA-04"].cctv_violation == "missing" and houses["JA-04"].triggers == ["beds"]
    assert houses["JA-04"].reason_zh == "床位10张，应安装视频监控但未安装或不能正常使用"
    assert "JA-03" not in houses  # 9 rooms, 9 beds, 9 tenants: not required


def test_cctv_with_fire_kit(conn):
    r = cctv(conn, make_scope(as_of=D, unit=["甲村"]), P, fire_kit=True)
    houses = {h.house_code: h for h in r.houses}
    assert sorted(houses) == ["JA-02", "JA-04"]  # JA-02 both rules; no other kit absent
    assert houses["JA-02"].fire_kit_missing == ["smoke_masks"]
    assert houses["JA-02"].reason_zh.endswith("；未配备防烟面罩")


def test_cctv_pages_cross_units(conn):
    # The list is read unit by unit (each unit's houses up to the page's end): pages of 1, 2
    # and 3 houses, walked with next_offset, give the whole list (DD-01, YB-02, JA-02, JA-04 in
    # their units' name order) with nothing skipped or repeated, and every page the same totals.
    whole = cctv(conn, make_scope(as_of=D), P)
    codes = [h.house_code for h in whole.houses]
    assert sorted(codes) == ["DD-01", "JA-02", "JA-04", "YB-02"]
    assert codes.index("JA-02") + 1 == codes.index("JA-04")  # same unit: by code
    # the units in the order of the per-unit figures (both by name, in the database's collation)
    listed = [u.unit for u in whole.units if u.listed]
    assert list(dict.fromkeys(h.unit for h in whole.houses)) == listed
    for size in (1, 2, 3):
        walked, offset = [], 0
        while offset is not None:
            page = cctv(conn, make_scope(as_of=D), P, limit=size, offset=offset)
            assert (page.total, page.units) == (4, whole.units)
            walked += [h.house_code for h in page.houses]
            offset = page.next_offset
        assert walked == codes
    assert cctv(conn, make_scope(as_of=D), P, limit=2, offset=4).houses == []
