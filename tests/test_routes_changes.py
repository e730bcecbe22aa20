"""The planner's changes made on the map: remove a target, pin one (to a team), and the
progress the planning page shows — on the hand-made grid (tests/routes_grid.py)."""

import json
from datetime import date

import pytest
from access_helpers import login_as, secured_app
from fastapi.testclient import TestClient
from routes_grid import add_hazard, add_house, add_unit, build_grid, vertex

from geo_service.db import make_engine
from geo_service.domain.rules import RuleParams
from geo_service.errors import ValidationError
from geo_service.patrol.config import load_route_params, parse_hhmm
from geo_service.patrol.instance import TEAM_SKILL
from geo_service.patrol.plan import PlanRequest, plan_routes

PARAMS = load_route_params()
DEPOT = "{},{}".format(*vertex(0, 0))
D = date(2026, 12, 1)


@pytest.fixture(scope="module")
def eng(new_database):
    engine = make_engine(new_database("changes"), pool_size=2)
    with engine.begin() as conn:
        build_grid(conn)
    yield engine
    engine.dispose()


@pytest.fixture()
def conn(eng):
    with eng.connect() as c:
        tx = c.begin()
        yield c
        tx.rollback()


def _plan(conn, req: PlanRequest):
    """(plan as JSON-ready dict, instance), as the API answers and the plan is stored."""
    planned = plan_routes(conn, req, PARAMS, RuleParams())
    return planned.plan.model_dump(mode="json"), planned.instance


def _served(plan):
    return {s["house_id"]: (r["team"], s) for r in plan["routes"] for s in r["stops"]}


def test_a_pinned_target_outranks_a_catastrophic_one_when_the_day_is_short(conn):
    unit = add_unit(conn)
    urgent = add_house(conn, unit, "URGENT", vertex(2, 2))  # LPG cylinder: priority 90
    add_hazard(conn, urgent, "HZ-LPG", "lpg_cylinder", "major", date(2026, 11, 28), D)
    chosen = add_house(conn, unit, "CHOSEN", vertex(1, 0))  # nothing to verify: listed, 60
    # 08:30–09:05 = 35 min: one stop only (URGENT takes 20 + 10 min on site, CHOSEN 20 min,
    # plus the drive: 20 + 30 + driving > 35). Unpinned, 90 > 60 keeps URGENT.
    day = (parse_hhmm("08:30"), parse_hhmm("09:05"))
    plain, _ = _plan(conn, PlanRequest(D, 1, *day, [DEPOT], house_ids=[chosen]))
    assert list(_served(plain)) == [urgent]
    # Pinned, CHOSEN gets the highest priority there is (100 > 90) and is the one visited;
    # it joins the targets as listed and pinned even without --house.
    pinned, instance = _plan(conn, PlanRequest(D, 1, *day, [DEPOT], pins={chosen: None}))
    assert list(_served(pinned)) == [chosen]
    stop = _served(pinned)[chosen][1]
    assert stop["priority"] == 100 and stop["kinds"] == ["listed", "pinned"]
    assert "督导组固定必访" in stop["reasons_zh"]
    assert {j["id"]: j["priority"] for j in instance["jobs"]} == {chosen: 100, urgent: 90}
    left = {u["house_id"]: u["reason"] for u in pinned["unassigned"]}
    assert left == {urgent: "out_of_time"}


def test_a_target_pinned_to_a_team_is_visited_by_that_team_only(conn):
    unit = add_unit(conn)
    ids = [add_house(conn, unit, f"P{i}{j}", vertex(i, j)) for i, j in [(1, 0), (2, 2)]]
    # Two teams, a whole day: without pins one team does both. One route depot → P10 → P22 →
    # depot drives 95 + 317 + 412 ≈ 824 m; two round trips 190 + 824 ≈ 1,014 m.
    free, _ = _plan(conn, PlanRequest(D, 2, depots=[DEPOT], house_ids=ids))
    (team,) = {t for t, _ in _served(free).values()}
    other = 3 - team
    pinned = PlanRequest(D, 2, depots=[DEPOT], house_ids=ids, pins={ids[0]: other})
    plan, instance = _plan(conn, pinned)
    assert _served(plan)[ids[0]][0] == other
    jobs = {j["id"]: set(j["skills"]) for j in instance["jobs"]}
    vehicles = {v["id"]: set(v["skills"]) for v in instance["vehicles"]}
    assert TEAM_SKILL + other in jobs[ids[0]] and TEAM_SKILL + other in vehicles[other]
    assert not jobs[ids[0]] <= vehicles[team]  # the other vehicle lacks the pin's skill
    assert jobs[ids[1]] <= vehicles[1] and jobs[ids[1]] <= vehicles[2]


def test_a_removed_target_is_reported_not_dropped(conn):
    unit = add_unit(conn)
    gone = add_house(conn, unit, "GONE", vertex(2, 1))
    add_hazard(conn, gone, "HZ-G", "open_flame", "major", date(2026, 11, 1), date(2026, 11, 8))
    kept = add_house(conn, unit, "KEPT", vertex(1, 2))
    req = PlanRequest(D, 1, depots=[DEPOT], house_ids=[kept], exclude_ids=[gone])
    plan, instance = _plan(conn, req)
    assert list(_served(plan)) == [kept]
    assert [(u["house_id"], u["reason"]) for u in plan["unassigned"]] == [(gone, "removed")]
    assert gone not in {j["id"] for j in instance["jobs"]}
    # 2 targets (GONE is one: an open major hazard), 1 removed: the totals say so.
    assert plan["totals"]["targets"] == 1 and plan["totals"]["unassigned"] == 1


def test_contradictory_changes_are_refused(conn):
    unit = add_unit(conn)
    h = add_house(conn, unit, "X", vertex(1, 1))
    with pytest.raises(ValidationError, match="pinned and removed"):
        _plan(conn, PlanRequest(D, 1, depots=[DEPOT], pins={h: None}, exclude_ids=[h]))
    with pytest.raises(ValidationError, match="no such team"):
        _plan(conn, PlanRequest(D, 2, depots=[DEPOT], pins={h: 3}))


def test_the_stream_reports_each_stage_then_the_plan(eng):
    url = eng.url.render_as_string(hide_password=False)
    with eng.begin() as conn:
        unit = add_unit(conn, "流村")
        ids = [add_house(conn, unit, f"S{i}", vertex(i, 2)) for i in (1, 2)]
    with TestClient(secured_app(url)) as client:
        login_as(client, "supervisor")
        body = {"date": D.isoformat(), "teams": 1, "depots": [DEPOT], "house_ids": ids}
        r = client.post("/routes/plans/stream", json=body)
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/x-ndjson")
        lines = [json.loads(x) for x in r.text.splitlines()]
        stages = [k for k, _ in lines[0]["stages"]]
        done = [m for m in lines if "stage" in m]
        assert [m["stage"] for m in done] == stages  # every stage, in order
        assert [m["done"] for m in done] == list(range(1, len(stages) + 1))
        plan = lines[-1]["plan"]
        assert sorted(s["house_id"] for s in plan["routes"][0]["stops"]) == sorted(ids)
        saved = client.get(f"/routes/plans/{plan['ref']}").json()
        assert saved["cost"] == plan["cost"]
        listed = client.get("/routes/plans").json()
        assert listed[0]["ref"] == plan["ref"] and listed[0]["created_by"] == "t_supervisor"
        # A mistake found while planning ends the stream with the reason.
        bad = client.post("/routes/plans/stream", json=body | {"depots": ["nowhere"]})
        assert json.loads(bad.text.splitlines()[-1])["error"].startswith("未知出发点")
        # One found before (a malformed time) is an ordinary 422.
        assert client.post("/routes/plans/stream", json=body | {"start": "8h"}).status_code == 422
