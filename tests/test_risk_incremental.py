"""The maintained risk ranking's incremental refresh (analytics.risk_table): after local changes
only (houses, hazards: the footprints of migration 0021) the refresh recomputes the houses the
changes reached, and the table is then exactly what a full refresh makes of the same data —
every audience, score and factor; a global change, a new day or a lost footprint: full.

The hand-made town of analytics_data (D = 2026-05-31) plus three incidents near JA-03, its own
database (the changes below would disturb test_risk_table's ranking). By hand, with the
packaged weights (see test_risk.py and test_risk_table.py): YB-03 holds 1 room, 1 bed,
0 tenants and scores 0; with 30 tenants of whom 0 registered it needs CCTV (30 ≥ 10 tenants)
and has none: 3 points, tenant gap 30 capped at 20 × 0.3 = 6 points, score 3 + 6 = 9.0.
JA-03 moved to 丁村, 3 km east, is no longer within 200 m of the incidents: 'exact' 3 → 0.
"""

from datetime import date, timedelta

import pytest
from analytics_data import D, add_incidents, load
from sqlalchemy import text

from geo_service.analytics import risk_table
from geo_service.analytics.risk import load_risk_weights
from geo_service.domain.rules import load_rule_params

P = load_rule_params()
W = load_risk_weights()
INCIDENTS = [
    ("R-1", "2026-04-10 10:00+08", 120.006, 31.7085),
    ("R-2", "2026-04-11 10:00+08", 120.0062, 31.7083),
    ("R-3", "2026-04-12 10:00+08", 120.0058, 31.7082),
]


@pytest.fixture(scope="module")
def town(engine):
    load(engine)
    with engine.begin() as c:
        add_incidents(c, INCIDENTS)
        # a house the geocoder could not place: its changes record its unit, no box
        c.execute(
            text(
                "INSERT INTO houses (house_code, unit_id, address, landlord_name, rooms, beds, "
                "tenants, registered_tenants, is_registered, pledge_signed) "
                "SELECT 'YB-13', unit_id, '乙社区YB-13号', '房东', 1, 1, 0, 0, true, false "
                "FROM houses WHERE house_code = 'YB-03'"
            )
        )
    return engine


def _rows(engine):
    with engine.connect() as c:
        return c.execute(
            text(
                "SELECT audience, house_id, house_code, score, factors FROM risk_ranking "
                "WHERE method = :m ORDER BY audience, house_id"
            ),
            {"m": risk_table.METHOD},
        ).all()


def _row(engine, audience, code):
    with engine.connect() as c:
        return c.execute(
            text(
                "SELECT r.score, r.factors FROM risk_ranking r JOIN houses h ON h.id = r.house_id "
                "WHERE r.method = :m AND r.audience = :a AND h.house_code = :c"
            ),
            {"m": risk_table.METHOD, "a": audience, "c": code},
        ).one()


def _write(engine, *statements):
    for sql in statements:  # one transaction, one data version, one footprint each
        with engine.begin() as c:
            c.execute(text(sql))


def _same_as_full(engine, run):
    """The table after `run` equals the full refresh of the same data, row for row."""
    after = _rows(engine)
    full = risk_table.refresh(engine, P, W.params(), D, force=True)
    assert not full.incremental and full.recomputed == full.houses_scored
    assert _rows(engine) == after
    assert run.houses_scored == full.houses_scored == len({r.house_id for r in after})


def test_local_changes_recompute_only_the_houses_they_reached(town):
    first = risk_table.refresh(town, P, W.params(), D, force=True)
    assert not first.incremental and first.houses_scored == 18  # 4 甲村 + 13 乙社区 + 1 丁村
    assert _row(town, "none", "YB-03").score == 0
    assert _row(town, "exact", "JA-03").factors["v_incidents"] == 3
    _write(
        town,
        # a house's figures: YB-03 with 30 tenants, none registered
        "UPDATE houses SET tenants = 30 WHERE house_code = 'YB-03'",
        # a hazard added to DD-01 (major, open) and HA-1 of JA-01 rectified
        "INSERT INTO hazards (hazard_code, house_id, category, severity, found_on, due_on, "
        "posted_on_wall, entered_in_system) SELECT 'HD-1', id, 'open_flame', 'major', "
        "'2026-05-30', '2026-06-06', true, true FROM houses WHERE house_code = 'DD-01'",
        "UPDATE hazards SET rectified_on = '2026-05-30' WHERE hazard_code = 'HA-1'",
        # moved to another unit and point: JA-03 away from the incidents, YB-12 into 城中村
        "UPDATE houses SET unit_id = (SELECT id FROM units WHERE name = '丁村'), "
        "geom = ST_SetSRID(ST_MakePoint(120.035, 31.706), 4326) WHERE house_code = 'JA-03'",
        "UPDATE houses SET unit_id = (SELECT id FROM units WHERE name = '甲村'), "
        "geom = ST_SetSRID(ST_MakePoint(120.003, 31.7025), 4326) WHERE house_code = 'YB-12'",
        "DELETE FROM houses WHERE house_code = 'YB-11'",
        # without a point: YB-13 with 30 tenants, as YB-03
        "UPDATE houses SET tenants = 30 WHERE house_code = 'YB-13'",
    )
    with town.connect() as c:
        kinds = c.execute(
            text("SELECT is_global, extent IS NULL FROM data_changes ORDER BY version DESC")
        ).all()[:7]
    assert kinds[0] == (False, True)  # YB-13: no point, no box
    assert not any(g for g, _ in kinds)  # every change local

    run = risk_table.refresh(town, P, W.params(), D)
    assert run.incremental and not run.stale
    # 丁村 (DD-01, JA-03), 甲村 (JA-01, YB-12) and 乙社区's YB-03, YB-13 at least; not all
    assert 6 <= run.recomputed < run.houses_scored == 17
    assert _row(town, "none", "YB-03").score == pytest.approx(9.0)
    assert _row(town, "none", "YB-13").score == pytest.approx(9.0)
    assert _row(town, "none", "DD-01").factors["v_open_major_hazards"] == 1
    assert _row(town, "none", "JA-01").factors["v_open_major_hazards"] == 1  # HA-2 only
    assert "v_incidents" not in _row(town, "exact", "JA-03").factors
    assert _row(town, "none", "YB-12").factors["key_area_kinds"] == ["urban_village"]
    _same_as_full(town, run)


def test_a_global_change_refreshes_every_house(town):
    risk_table.refresh(town, P, W.params(), D, force=True)
    _write(
        town,
        "UPDATE houses SET tenants = 31 WHERE house_code = 'YB-03'",
        "INSERT INTO incidents (incident_code, occurred_at, category, address, geom) VALUES "
        "('R-4', '2026-05-01 10:00+08', '纠纷', 'x', ST_SetSRID(ST_MakePoint(120.002, 31.702), "
        "4326))",
    )
    run = risk_table.refresh(town, P, W.params(), D)
    assert not run.incremental and run.recomputed == run.houses_scored
    assert _row(town, "exact", "JA-01").factors["v_incidents"] == 1  # R-4 at JA-01's point
    _same_as_full(town, run)


def test_a_new_day_or_a_lost_footprint_refreshes_every_house(town):
    risk_table.refresh(town, P, W.params(), D, force=True)
    _write(town, "UPDATE houses SET tenants = 32 WHERE house_code = 'YB-03'")
    run = risk_table.refresh(town, P, W.params(), D + timedelta(days=1))
    assert not run.incremental and run.as_of == date(2026, 6, 1)

    risk_table.refresh(town, P, W.params(), D, force=True)
    _write(
        town,
        "UPDATE houses SET tenants = 33 WHERE house_code = 'YB-03'",
        "UPDATE houses SET tenants = 34 WHERE house_code = 'YB-04'",
    )
    with town.begin() as c:  # as if pruned (data_changes_kept()): the older change is unknown
        c.execute(
            text("DELETE FROM data_changes WHERE version = (SELECT version - 1 FROM data_version)")
        )
    run = risk_table.refresh(town, P, W.params(), D)
    assert not run.incremental
    _same_as_full(town, run)


def test_an_emptied_table_is_refilled_in_full(town):
    risk_table.refresh(town, P, W.params(), D, force=True)
    with town.begin() as c:  # what crash recovery does to the UNLOGGED table
        c.execute(text("TRUNCATE risk_ranking"))
    _write(town, "UPDATE houses SET tenants = 35 WHERE house_code = 'YB-03'")
    run = risk_table.refresh(town, P, W.params(), D)
    assert not run.incremental and run.houses_scored == run.recomputed > 0
    _same_as_full(town, run)
