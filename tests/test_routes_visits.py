"""Recording a review visit updates the hazards, the house and the audit log."""

from datetime import date, datetime

import pytest
from routes_grid import add_hazard, add_house, add_unit
from sqlalchemy import text

from geo_service.domain.rules import RuleParams
from geo_service.errors import ValidationError
from geo_service.patrol.visits import NewHazard, Visit, record_visit

AT = datetime(2026, 12, 1, 10, 30)  # local time (Asia/Shanghai)


@pytest.fixture()
def conn(engine):
    with engine.connect() as c:
        tx = c.begin()
        yield c
        tx.rollback()


def _hazard(conn, hazard_id):
    return conn.execute(
        text("SELECT rectified_on, verified_on FROM hazards WHERE id = :i"), {"i": hazard_id}
    ).one()


def test_visit_updates_hazards_and_writes_the_audit_log(conn):
    house = add_house(conn, add_unit(conn), "V1", (120.07, 31.70))
    open_lpg = add_hazard(conn, house, "V-LPG", "lpg_cylinder", "major", date(2026, 11, 1))
    claimed = add_hazard(
        conn,
        house,
        "V-FLAME",
        "open_flame",
        "major",
        date(2026, 11, 1),
        rectified_on=date(2026, 11, 6),
    )
    reported = add_hazard(
        conn, house, "V-EBIKE", "ebike", "major", date(2026, 11, 1), rectified_on=date(2026, 11, 7)
    )
    result = record_visit(
        conn,
        Visit(
            house,
            AT,
            rectified=[open_lpg, reported],
            still_open=[claimed],
            new_hazards=[NewHazard("私拉乱接电线", description="楼道飞线充电")],
            photos=["IMG_0001.jpg"],
            notes="复查",
            recorded_by="督导组王五",
        ),
        RuleParams(),
    )
    # Fixed on the visit day when no date was reported; a reported date is kept and verified.
    assert _hazard(conn, open_lpg) == (date(2026, 12, 1), date(2026, 12, 1))
    assert _hazard(conn, reported) == (date(2026, 11, 7), date(2026, 12, 1))
    # A reported fix the review does not confirm is reopened.
    assert _hazard(conn, claimed) == (None, None)
    new = conn.execute(
        text("SELECT category, severity, found_on, due_on, description FROM hazards WHERE id = :i"),
        {"i": result["hazards_created"][0]},
    ).one()
    # 私拉乱接电线 is a general hazard: due three calendar months after discovery.
    assert new == (
        "improvised_wiring",
        "general",
        date(2026, 12, 1),
        date(2027, 3, 1),
        "楼道飞线充电",
    )
    visits = conn.execute(
        text(
            "SELECT outcome, hazard_id, photos FROM review_visits WHERE house_id = :h ORDER BY id"
        ),
        {"h": house},
    ).all()
    assert [(v.outcome, v.hazard_id) for v in visits] == [
        ("rectified", open_lpg),
        ("rectified", reported),
        ("still_open", claimed),
        ("new_hazard", result["hazards_created"][0]),
    ]
    assert visits[0].photos == ["IMG_0001.jpg"]
    assert conn.execute(
        text("SELECT last_inspected_on FROM houses WHERE id = :h"), {"h": house}
    ).scalar_one() == date(2026, 12, 1)
    audit = conn.execute(
        text(
            "SELECT table_name, action, record_key, before ->> 'rectified_on',"
            " after ->> 'rectified_on', actor FROM audit_log ORDER BY id"
        )
    ).all()
    by_key = {(a.table_name, a.action, a.record_key): a for a in audit}
    assert by_key[("hazards", "update", str(open_lpg))][3:] == (None, "2026-12-01", "督导组王五")
    assert by_key[("hazards", "update", str(claimed))][3:5] == ("2026-11-06", None)
    assert ("hazards", "insert", str(result["hazards_created"][0])) in by_key
    assert sum(a.table_name == "review_visits" for a in audit) == 4
    assert {("inspections", "insert"), ("houses", "update")} <= {a[:2] for a in audit}


def test_visit_mistakes_are_one_line_errors(conn):
    unit = add_unit(conn)
    house = add_house(conn, unit, "V2", (120.07, 31.70))
    other = add_house(conn, unit, "V3", (120.07, 31.70))
    foreign = add_hazard(conn, other, "V-OTHER")
    with pytest.raises(ValidationError, match="at least one outcome"):
        record_visit(conn, Visit(house, AT), RuleParams())
    with pytest.raises(ValidationError, match="not at house"):
        record_visit(conn, Visit(house, AT, rectified=[foreign]), RuleParams())
    with pytest.raises(ValidationError, match="unknown hazard category"):
        record_visit(conn, Visit(house, AT, new_hazards=[NewHazard("nonsense")]), RuleParams())
    with pytest.raises(ValidationError, match="no access excludes"):
        record_visit(conn, Visit(house, AT, rectified=[foreign], no_access=True), RuleParams())
