"""The analytics SQL applies the plan's rules on the boundaries (real PostGIS).

`sql/_hazards.sql` reads the database's hazard_state() (deadline, overdue, transfer) and
`sql/_house_scope.sql` applies the CCTV and fire-kit rules; each is run here on its own over
boundary rows and compared with hand-written values (and the CCTV rule with rules.py).
"""

from datetime import date, timedelta
from itertools import product

import pytest
from sqlalchemy import text

from geo_service.analytics.common import params as analytics_params
from geo_service.domain.rules import (
    cctv_violation,
    fire_kit_status,
    load_rule_params,
)
from geo_service.scope import make_scope
from geo_service.sqlfiles import statement

P = load_rule_params()
HAZARD_STATE = ("geo_service.analytics", "sql/_hazards.sql")
HOUSE_SCOPE = ("geo_service.analytics", "sql/_house_scope.sql")

# (code, severity, found_on, notice deadline, rectified_on)
HAZARDS = [
    ("G-JAN31", "general", date(2026, 1, 31), None, None),  # due Apr 30
    ("G-NOV30", "general", date(2025, 11, 30), None, None),  # due Feb 28 2026
    ("G-FEB28", "general", date(2026, 2, 28), None, date(2026, 5, 31)),  # due May 28, late fix
    ("M-0524", "major", date(2026, 5, 24), None, None),  # due May 31
    ("M-0224", "major", date(2026, 2, 24), None, date(2026, 3, 3)),  # due Mar 3, fixed that day
    ("M-NOTICE", "major", date(2026, 5, 20), date(2026, 6, 30), None),  # notice: Jun 30
]
HAND_DUE = {
    "G-JAN31": date(2026, 4, 30),
    "G-NOV30": date(2026, 2, 28),
    "G-FEB28": date(2026, 5, 28),
    "M-0524": date(2026, 5, 31),
    "M-0224": date(2026, 3, 3),
    "M-NOTICE": date(2026, 6, 30),
}

# Houses: every combination of 9/10 rooms, beds, tenants, and CCTV states.
CCTV_STATES = [(True, 30), (True, 29), (True, None), (False, None), (None, None)]
KITS = [(True, True, True), (True, False, None), (True, True, None), (None, None, None)]


@pytest.fixture(scope="module")
def conn(engine):
    with engine.begin() as c:
        c.execute(text("INSERT INTO units (name, kind) VALUES ('测试村', 'village')"))
        combos = product(product((9, 10), repeat=3), CCTV_STATES)
        for n, ((rooms, beds, tenants), (installed, days)) in enumerate(combos, start=1):
            kit = KITS[n % len(KITS)]
            c.execute(
                text(
                    "INSERT INTO houses (house_code, unit_id, address, landlord_name, rooms, beds,"
                    " tenants, registered_tenants, is_registered, pledge_signed, cctv_installed,"
                    " cctv_retention_days, has_smoke_masks, has_torches, has_extinguishers) "
                    "SELECT :code, id, 'x', 'y', :r, :b, :t, 0, true, true, :i, :d, :k1, :k2, :k3"
                    " FROM units"
                ),
                {
                    "code": f"H{n:03d}",
                    "r": rooms,
                    "b": beds,
                    "t": tenants,
                    "i": installed,
                    "d": days,
                    "k1": kit[0],
                    "k2": kit[1],
                    "k3": kit[2],
                },
            )
        for code, sev, found, notice, fixed in HAZARDS:
            c.execute(
                text(
                    "INSERT INTO hazards (hazard_code, house_id, category, severity, found_on,"
                    " deadline_on, due_on, posted_on_wall, entered_in_system, rectified_on)"
                    " SELECT :code, min(id), 'crime', :sev, :found, :notice, :found, true, true,"
                    " :fixed FROM houses"
                ),
                {"code": code, "sev": sev, "found": found, "notice": notice, "fixed": fixed},
            )
    with engine.connect() as c:
        yield c


def _hazard_state(conn, as_of):
    params = analytics_params(make_scope(as_of=as_of), P)
    rows = conn.execute(statement(*HAZARD_STATE, hazard_scope="true"), params).mappings()
    return {r["hazard_code"]: r for r in rows}


def test_sql_due_matches_rules_and_hand_values(conn):
    state = _hazard_state(conn, date(2026, 12, 31))
    for code, sev, found, notice, _ in HAZARDS:
        rule = conn.execute(
            text("SELECT hazard_due(:f, :s, :n)"), {"f": found, "s": sev, "n": notice}
        ).scalar_one()
        assert state[code]["due_on"] == rule == HAND_DUE[code], code


@pytest.mark.parametrize("offset", [-1, 0, 1, 2])
def test_sql_overdue_matches_rules_around_each_deadline(conn, offset):
    for code, _sev, found, _notice, fixed in HAZARDS:
        as_of = HAND_DUE[code] + timedelta(days=offset)
        state = _hazard_state(conn, as_of)
        if found > as_of:
            assert code not in state  # found after D: not counted at all
            continue
        row = state[code]
        # Overdue: not rectified by D (a fix after D has not happened yet) and D past the due day.
        unrectified = fixed is None or fixed > as_of
        assert row["overdue"] is (unrectified and offset > 0), (code, as_of)
        # Days overdue count only while overdue (one meaning on every surface; 0 otherwise).
        assert row["days_overdue"] == (offset if row["overdue"] else 0)


def test_hand_checked_overdue_cases(conn):
    # M-0524 is due May 31: on May 31 not overdue (deadline day), on Jun 1 overdue by 1 day.
    assert not _hazard_state(conn, date(2026, 5, 31))["M-0524"]["overdue"]
    jun1 = _hazard_state(conn, date(2026, 6, 1))["M-0524"]
    assert jun1["overdue"] and jun1["days_overdue"] == 1
    # G-FEB28 due May 28, rectified May 31 (late). On May 28: the deadline day, not overdue.
    # On May 29 the later fix has not happened yet: unrectified and overdue by 1 day.
    # On May 31 it is rectified: not overdue any more.
    assert not _hazard_state(conn, date(2026, 5, 28))["G-FEB28"]["overdue"]
    may29 = _hazard_state(conn, date(2026, 5, 29))["G-FEB28"]
    assert not may29["rectified"] and may29["overdue"] and may29["days_overdue"] == 1
    may31 = _hazard_state(conn, date(2026, 5, 31))["G-FEB28"]
    assert may31["rectified"] and not may31["overdue"]
    # M-0224 (due Mar 3) fixed on Mar 3: never overdue.
    assert not _hazard_state(conn, date(2026, 3, 4))["M-0224"]["overdue"]
    # Found after D: not counted (M-0524 found May 24, D = May 23).
    assert "M-0524" not in _hazard_state(conn, date(2026, 5, 23))


def test_sql_cctv_and_fire_kit_match_rules(conn):
    params = analytics_params(make_scope(as_of=date(2026, 5, 31)), P)
    rows = list(conn.execute(statement(*HOUSE_SCOPE, house_scope="true"), params).mappings())
    assert len(rows) == 8 * len(CCTV_STATES)  # 2³ sizes × CCTV states
    required = 0
    for r in rows:
        expected = cctv_violation(
            r["rooms"], r["beds"], r["tenants"], r["cctv_installed"], r["cctv_retention_days"], P
        )
        assert r["cctv_violation"] == expected, r["house_code"]
        assert r["fire_kit"] == fire_kit_status(
            r["has_smoke_masks"], r["has_torches"], r["has_extinguishers"]
        )
        required += r["cctv_required"]
    # 7 of the 8 size combinations reach 10 somewhere (all but 9/9/9), × 5 CCTV states = 35.
    assert required == 35
    nine = [r for r in rows if (r["rooms"], r["beds"], r["tenants"]) == (9, 9, 9)]
    assert all(not r["cctv_required"] and r["cctv_violation"] is None for r in nine)
