"""The deadline (整改期限) and overdue (逾期) rules, where they live: the database (real PostGIS).

`hazard_due()` and `hazard_state(d)` (migration 0009) are the only definition; every surface
reads them. Every expected date is worked out by hand in the comment beside it.
"""

from datetime import date, timedelta

import pytest
from sqlalchemy import text

from geo_service import rulebook
from geo_service.domain.rules import RuleParams, cctv_required, load_rule_params


@pytest.fixture()
def conn(engine):
    with engine.connect() as c:
        tx = c.begin()
        c.execute(text("INSERT INTO units (id, name, kind) VALUES (1, '测试村', 'village')"))
        c.execute(
            text(
                "INSERT INTO houses (id, house_code, unit_id, address, landlord_name, rooms, beds,"
                " tenants, registered_tenants, is_registered, pledge_signed)"
                " VALUES (1, 'H1', 1, 'x', 'y', 1, 1, 1, 1, true, true)"
            )
        )
        yield c
        tx.rollback()


def due_date(conn, found: date, severity: str, notice: date | None) -> date:
    return conn.execute(
        text("SELECT hazard_due(:f, :s, :n)"), {"f": found, "s": severity, "n": notice}
    ).scalar_one()


def is_overdue(conn, due: date, rectified: date | None, as_of: date) -> bool:
    """A hazard with notice deadline `due`, in its state on `as_of` (hazard_state)."""
    nested = conn.begin_nested()
    conn.execute(
        text(
            "INSERT INTO hazards (hazard_code, house_id, category, severity, found_on,"
            " deadline_on, posted_on_wall, entered_in_system, rectified_on)"
            " VALUES ('Z', 1, 'crime', 'major', :f, :due, true, true, :r)"
        ),
        {"f": due - timedelta(days=10), "due": due, "r": rectified},
    )
    overdue = conn.execute(
        text("SELECT overdue FROM hazard_state(:d) WHERE hazard_code = 'Z'"), {"d": as_of}
    ).scalar_one()
    nested.rollback()
    return overdue


def test_major_deadline_is_seven_days(conn):
    # 2026-05-24 + 7 days = 2026-05-31
    assert due_date(conn, date(2026, 5, 24), "major", None) == date(2026, 5, 31)
    # across a month end: 2026-02-25 + 7 = 2026-03-04
    assert due_date(conn, date(2026, 2, 25), "major", None) == date(2026, 3, 4)
    # across a year end: 2026-12-28 + 7 = 2027-01-04
    assert due_date(conn, date(2026, 12, 28), "major", None) == date(2027, 1, 4)


def test_general_deadline_is_three_calendar_months(conn):
    # Jan 31 + 3 months = Apr 30 (April has no 31st: clamp to the month end)
    assert due_date(conn, date(2026, 1, 31), "general", None) == date(2026, 4, 30)
    # Nov 30 + 3 months = Feb 28 of the next (non-leap) year
    assert due_date(conn, date(2026, 11, 30), "general", None) == date(2027, 2, 28)
    # Nov 30 2027 + 3 months = Feb 29 2028 (leap year)
    assert due_date(conn, date(2027, 11, 30), "general", None) == date(2028, 2, 29)
    assert due_date(conn, date(2026, 2, 28), "general", None) == date(2026, 5, 28)


def test_notice_deadline_wins(conn):
    # A notice may set a later (or earlier) deadline than the rule's 7 days.
    assert due_date(conn, date(2026, 5, 20), "major", date(2026, 6, 30)) == date(2026, 6, 30)
    assert due_date(conn, date(2026, 3, 1), "major", date(2026, 3, 20)) == date(2026, 3, 20)


def test_overdue_boundaries(conn):
    due = date(2026, 5, 30)
    assert not is_overdue(conn, due, None, date(2026, 5, 30))  # the deadline day: not late
    assert is_overdue(conn, due, None, date(2026, 5, 31))  # the day after: overdue
    # Rectified after D: still unrectified on D, so overdue on D.
    assert is_overdue(conn, due, date(2026, 6, 5), date(2026, 5, 31))
    # Rectified on D itself: rectified on D.
    assert not is_overdue(conn, due, date(2026, 5, 31), date(2026, 5, 31))


def test_stored_deadline_is_always_the_rule(conn):
    # A client cannot store another deadline: whatever it sends, due_on is hazard_due()'s.
    conn.execute(
        text(
            "INSERT INTO hazards (hazard_code, house_id, category, severity, found_on, due_on,"
            " posted_on_wall, entered_in_system)"
            " VALUES ('Z9', 1, 'crime', 'major', '2026-05-24', '2030-01-01', true, true)"
        )
    )
    stored = "SELECT due_on FROM hazards WHERE hazard_code = 'Z9'"
    assert conn.execute(text(stored)).scalar_one() == date(2026, 5, 31)  # May 24 + 7
    conn.execute(text("UPDATE hazards SET severity = 'general' WHERE hazard_code = 'Z9'"))
    assert conn.execute(text(stored)).scalar_one() == date(2026, 8, 24)  # May 24 + 3 months


def test_rule_params_from_file(conn, tmp_path):
    f = tmp_path / "rules.toml"
    f.write_text(
        "[deadline]\nmajor_days = 3\ngeneral_months = 1\n"
        "[cctv]\nmin_rooms = 5\nmin_beds = 6\nmin_tenants = 7\nmin_retention_days = 15\n"
        "[key_areas]\ncampus_buffer_m = 100\n",
        encoding="utf-8",
    )
    p = load_rule_params(f)
    conn.execute(
        text(
            "INSERT INTO hazards (hazard_code, house_id, category, severity, found_on,"
            " posted_on_wall, entered_in_system) VALUES"
            " ('G', 1, 'crime', 'general', '2026-01-31', true, true),"
            " ('M', 1, 'crime', 'major', '2026-01-31', true, true)"
        )
    )
    done = rulebook.apply(conn, p, actor="test")
    assert done.deadlines_changed == 2  # both stored deadlines re-derived
    assert due_date(conn, date(2026, 1, 31), "general", None) == date(2026, 2, 28)  # +1 month
    stored = dict(conn.execute(text("SELECT hazard_code, due_on FROM hazards")).all())
    assert stored == {"G": date(2026, 2, 28), "M": date(2026, 2, 3)}  # Jan 31 + 3 days
    assert cctv_required(5, 0, 0, p) and not cctv_required(4, 5, 6, p)
    audit = conn.execute(
        text("SELECT actor, detail FROM audit_log WHERE action = 'rules_apply'")
    ).one()
    assert audit.actor == "test" and audit.detail == {"deadlines_changed": 2}


def test_a_process_with_other_rules_refuses_to_answer(conn):
    rulebook.ensure_in_force(conn, RuleParams())  # the packaged rules are in force: fine
    other = RuleParams(major_deadline_days=3)
    with pytest.raises(rulebook.RulesNotAppliedError, match="rules apply"):
        rulebook.ensure_in_force(conn, other)


def test_the_service_says_so_when_its_rules_file_is_not_in_force(db_url, tmp_path):
    from access_helpers import login_as
    from fastapi.testclient import TestClient

    from geo_service.api.app import create_app
    from geo_service.config import Settings

    town = tmp_path / "rules.toml"
    town.write_text(
        "[deadline]\nmajor_days = 3\ngeneral_months = 1\n"
        "[cctv]\nmin_rooms = 10\nmin_beds = 10\nmin_tenants = 10\nmin_retention_days = 30\n"
        "[key_areas]\ncampus_buffer_m = 200\n",
        encoding="utf-8",
    )
    settings = Settings(database_url=db_url, rules_path=town)
    with TestClient(create_app(settings)) as c:
        login_as(c, "supervisor")
        r = c.get("/analytics/overdue?as_of=2026-06-01")
        assert r.status_code == 503
        detail = r.json()["detail"]
        assert "rules apply" in detail and "major_deadline_days 7→3" in detail
