"""附件1 scores on the hand-made town (tests/analytics_data.py), D = 2026-05-31.

Every expected number is derived by hand from the rubric (SPEC §5) in the comments.
"""

from datetime import date
from importlib import resources

import pytest
from analytics_data import D, load

from geo_service.analytics.scores import scores
from geo_service.domain.rubric import load_rubric
from geo_service.domain.rules import load_rule_params
from geo_service.errors import NotFoundError
from geo_service.scope import make_scope

P = load_rule_params()


@pytest.fixture(scope="module")
def conn(engine):
    load(engine)
    with engine.connect() as c:
        yield c


def _report(conn, rubric=None, **kw):
    return scores(conn, make_scope(**({"as_of": D} | kw)), P, rubric or load_rubric())


def _sections(unit):
    return {s.code: s.score for s in unit.sections}


def _item(unit, measure):
    return next(i for s in unit.sections for i in s.items if i.measure == measure)


def test_jiacun_every_section_by_hand(conn):
    a = next(u for u in _report(conn).units if u.unit == "甲村")
    assert _sections(a) == {
        "responsibility": 15,  # task list and annual plan made → 15/15
        "house_registration": 9,  # 4 houses, JA-02 unregistered → −1 → 9/10
        "tenant_registration": 9,  # 94/100 = 94.0 % → 95−94 = 1 point → −1 → 9/10
        "second_landlord_registration": 9,  # 张三 registered, 李四 not → −1 → 9/10
        "pledge": 4,  # JA-02, JA-03 without pledge → −0.5 × 2 = −1 → 4/5
        # Counted on D: HA-1,2,3,4,6,7 (HA-5 found Jun 1 > D). Not transferred: HA-2 (not in
        # the system), HA-3 (transferred Jun 3 > D), HA-6 (neither) → −3 → 17/20
        "hazard_transfer": 17,
        # Overdue on D: HA-2 (due May 30 < May 31), HA-3 (due Apr 30; fixed Jun 5 > D).
        # Not overdue: HA-1 (due May 31 = D), HA-6 (notice Jun 30), HA-4/HA-7 rectified ≤ D
        # → −2 → 28/30
        "hazard_rectification": 28,
    }
    assert a.total == 91  # 15 + 9 + 9 + 9 + 4 + 17 + 28
    assert _item(a, "houses_unregistered").records == ["JA-02"]
    # registered < found: JA-01 (48/50), JA-03 (5/9)
    assert _item(a, "tenant_points_below_target").records == ["JA-01", "JA-03"]
    assert _item(a, "tenant_points_below_target").detail == "已登记 94/100 = 94.00%"
    assert _item(a, "second_landlords_unregistered").records == ["JA-02"]
    assert _item(a, "houses_without_pledge").records == ["JA-02", "JA-03"]
    assert _item(a, "houses_without_pledge").amount == 1.0  # 2 × 0.5
    assert _item(a, "hazards_not_transferred").records == ["HA-2", "HA-3", "HA-6"]
    assert _item(a, "hazards_overdue").records == ["HA-2", "HA-3"]


def test_yishequ_floor_null_plan_and_9499(conn):
    b = next(u for u in _report(conn).units if u.unit == "乙社区")
    assert _sections(b) == {
        "responsibility": 0,  # no task list −7.5, annual plan not recorded (NULL) −7.5 → 0
        "house_registration": 10,  # 12/12 registered
        # 9499/10000 = 94.99 %: 0.01 below 95 → floor(0.01) = 0 points → 10/10
        "tenant_registration": 10,
        "second_landlord_registration": 10,  # no second landlord: rate —, no deduction
        "pledge": 0,  # 12 houses without pledge → −6 on 5 points → floors at 0
        "hazard_transfer": 19,  # HB-1 found on D itself, on the wall but not in the system → −1
        "hazard_rectification": 30,  # HB-1 due Aug 31: inside its deadline, costs nothing
    }
    assert b.total == 79  # 0 + 10 + 10 + 10 + 0 + 19 + 30
    pledge = next(s for s in b.sections if s.code == "pledge")
    assert pledge.deducted == 5  # not 6: the floor
    assert _item(b, "houses_without_pledge").count == 12
    assert len(_item(b, "houses_without_pledge").records) == 12
    assert _item(b, "tenant_points_below_target").records == []  # no deduction, no records


def test_ranks_share_ties_and_exclude_departments(conn):
    r = _report(conn)
    # 丁村: 20 tenants, 19 registered = exactly 95.0 % → no deduction; all else full → 100.
    # 丙村: no houses, no hazards, both documents → 100. Tie → both rank 1; then 3, 4.
    assert [(u.unit, u.total, u.rank) for u in r.units] == [
        ("丁村", 100, 1),
        ("丙村", 100, 1),
        ("甲村", 91, 3),
        ("乙社区", 79, 4),
    ]
    assert {u.kind for u in r.units} == {"village", "community"}  # 建设局, 电力公司 not scored
    assert r.total_points == 100


def test_scores_move_with_the_as_of_date(conn):
    # D = Jun 1: HA-5 (found Jun 1, wall/system both false) now counts → transfer −4 → 16.
    # Overdue: HA-1 (due May 31 < Jun 1), HA-2, HA-3 → −3 → 27. HA-6 due Jun 30 not yet.
    a = next(u for u in _report(conn, as_of=date(2026, 6, 1)).units if u.unit == "甲村")
    assert _sections(a)["hazard_transfer"] == 16
    assert _sections(a)["hazard_rectification"] == 27
    # D = May 30: HA-2 due May 30 = D → not overdue; HA-3 overdue; HA-7 (due May 28, fixed
    # May 31 > D) overdue → −2 → 28. HA-1 transferred May 25 ≤ D. Not transferred: HA-2,
    # HA-3, HA-6 (HA-7 is transferred, HB-1 not found yet) → −3 → 17.
    a30 = next(u for u in _report(conn, as_of=date(2026, 5, 30)).units if u.unit == "甲村")
    assert _item(a30, "hazards_overdue").records == ["HA-3", "HA-7"]
    assert _sections(a30)["hazard_transfer"] == 17


def test_proportional_and_all_unrectified_rubric(conn, tmp_path):
    src = resources.files("geo_service.domain").joinpath("rubric_luoyang.toml").read_text("utf-8")
    src = src.replace('mode = "floor"', 'mode = "proportional"')
    src = src.replace('measure = "hazards_overdue"', 'measure = "hazards_unrectified"')
    f = tmp_path / "rubric.toml"
    f.write_text(src, encoding="utf-8")
    units = {u.unit: u for u in _report(conn, rubric=load_rubric(f)).units}
    # 乙社区: 94.99 % → 0.01 below → −0.01 → 9.99; 1 unrectified (HB-1) → 29
    assert _sections(units["乙社区"])["tenant_registration"] == pytest.approx(9.99)
    assert _sections(units["乙社区"])["hazard_rectification"] == 29
    # 甲村: unrectified on D: HA-1, HA-2, HA-3, HA-6 → −4 → 26
    assert _sections(units["甲村"])["hazard_rectification"] == 26
    assert _item(units["甲村"], "hazards_unrectified").records == ["HA-1", "HA-2", "HA-3", "HA-6"]


def test_filters_key_area_and_unknown_unit(conn):
    # Only houses in the 城中村 (JA-01, JA-02): 2 houses, JA-02 unregistered → 9;
    # tenants 90, registered 88 → 97.8 % → 10; pledges: JA-02 missing → 4.5.
    r = _report(conn, key_area_kind="城中村", unit=["甲村"])
    assert [u.unit for u in r.units] == ["甲村"]
    s = _sections(r.units[0])
    assert (s["house_registration"], s["tenant_registration"], s["pledge"]) == (9, 10, 4.5)
    with pytest.raises(NotFoundError):
        _report(conn, unit=["不存在村"])


def test_without_records_same_scores(conn):
    full = _report(conn)
    bare = scores(conn, make_scope(as_of=D), P, load_rubric(), records=False)
    assert [(u.unit, u.total, u.rank) for u in bare.units] == [
        (u.unit, u.total, u.rank) for u in full.units
    ]
    assert all(not i.records for u in bare.units for s in u.sections for i in s.items)
