"""Planning on the hand-made grid: time windows, shift ends, priorities, depots, targets."""

from dataclasses import replace
from datetime import date

import pytest
from routes_grid import ISOLATED, add_hazard, add_house, add_unit, build_grid, vertex
from sqlalchemy import text

from geo_service.analytics.risk import load_risk_weights
from geo_service.db import make_engine
from geo_service.domain.rules import RuleParams
from geo_service.patrol.config import load_route_params, parse_hhmm
from geo_service.patrol.plan import PlanRequest, plan_routes
from geo_service.patrol.targets import select_targets

PARAMS = load_route_params()
DEPOT = "{},{}".format(*vertex(0, 0))
D = date(2026, 12, 1)


@pytest.fixture(scope="module")
def eng(new_database):
    engine = make_engine(new_database("plan"), pool_size=2)
    with engine.begin() as conn:
        build_grid(conn)
    yield engine
    engine.dispose()


@pytest.fixture()
def conn(eng):
    """A connection whose writes are rolled back after the test."""
    with eng.connect() as c:
        tx = c.begin()
        yield c
        tx.rollback()


def _houses(conn, cells):
    unit = add_unit(conn)
    return [add_house(conn, unit, f"H{i}{j}", vertex(i, j)) for i, j in cells]


def _served(plan):
    return {s.house_id: s for r in plan.routes for s in r.stops}


def test_time_windows_and_shift_end_are_never_violated(conn):
    ids = _houses(conn, [(2, 2), (2, 0), (0, 2), (1, 1), (1, 2), (2, 1)])
    windows = {
        ids[0]: (parse_hhmm("09:30"), parse_hhmm("09:40")),  # forces waiting or ordering
        ids[1]: (parse_hhmm("08:30"), parse_hhmm("08:45")),
        ids[2]: (parse_hhmm("10:00"), parse_hhmm("10:30")),
    }
    start, end = parse_hhmm("08:30"), parse_hhmm("11:00")  # 150 min for 6 × 20 min stops
    plan, instance = plan_routes(
        conn,
        PlanRequest(D, 2, start, end, [DEPOT], house_ids=ids, windows=windows),
        PARAMS,
        RuleParams(),
    )
    served = _served(plan)
    assert len(served) == 6 and not plan.unassigned
    durations = instance["matrices"]["car"]["durations"]
    index = {j["id"]: j["location_index"] for j in instance["jobs"]}
    for route in plan.routes:
        assert start <= route.start_s and route.end_s <= end
        here, clock = 0, route.start_s
        for stop in route.stops:
            clock += durations[here][index[stop.house_id]]
            assert stop.arrival_s == clock
            clock = max(clock, windows.get(stop.house_id, (0, 0))[0])
            assert stop.service_start_s == clock
            if stop.house_id in windows:
                a, b = windows[stop.house_id]
                assert a <= stop.service_start_s <= b
            assert stop.service_s == 20 * 60
            clock += stop.service_s
            assert stop.departure_s == clock
            here = index[stop.house_id]
        assert route.end_s == clock + durations[here][0] <= end


def test_high_priority_stop_is_kept_when_the_day_is_short(conn):
    unit = add_unit(conn)
    near = add_house(conn, unit, "NEAR", vertex(1, 0))  # listed only: priority 60
    urgent = add_house(conn, unit, "URGENT", vertex(2, 2))  # farther, LPG cylinder: priority 90
    add_hazard(conn, urgent, "HZ-LPG", "lpg_cylinder", "major", date(2026, 11, 28), D)
    late = add_house(conn, unit, "LATE", vertex(0, 1))
    # 45 minutes: the urgent house alone takes 20 + 10 (one major hazard) minutes on site.
    req = PlanRequest(
        D,
        1,
        parse_hhmm("08:30"),
        parse_hhmm("09:15"),
        [DEPOT],
        house_ids=[near, late],
        windows={late: (parse_hhmm("16:00"), parse_hhmm("17:00"))},
    )
    plan, instance = plan_routes(conn, req, PARAMS, RuleParams())
    assert list(_served(plan)) == [urgent]
    assert _served(plan)[urgent].priority == 90
    assert _served(plan)[urgent].service_s == (20 + 10) * 60
    reasons = {u.house_id: (u.reason, u.priority) for u in plan.unassigned}
    assert reasons == {near: ("out_of_time", 60), late: ("infeasible_alone", 60)}
    assert {j["id"]: j["priority"] for j in instance["jobs"]} == {urgent: 90, near: 60, late: 60}
    assert plan.cost == plan.totals.driving_s == plan.routes[0].driving_s


def test_per_team_depots_serve_only_what_they_reach(conn):
    unit = add_unit(conn)
    on_grid = add_house(conn, unit, "GRID", vertex(2, 2))
    on_island = add_house(conn, unit, "ISLAND", ISOLATED[1])
    island_depot = "{},{}".format(*ISOLATED[0])
    plan, instance = plan_routes(
        conn,
        PlanRequest(D, 2, depots=[DEPOT, island_depot], house_ids=[on_grid, on_island]),
        PARAMS,
        RuleParams(),
    )
    by_team = {r.team: [s.house_id for s in r.stops] for r in plan.routes}
    assert by_team == {1: [on_grid], 2: [on_island]}
    assert plan.unreachable_pairs > 0
    skills = {j["id"]: j["skills"] for j in instance["jobs"]}
    vehicles = {v["id"]: v["skills"] for v in instance["vehicles"]}
    assert set(skills[on_island]) <= set(vehicles[2])
    assert not set(skills[on_island]) <= set(vehicles[1])
    # The route follows the roads: it starts and ends at the depot's vertex.
    line = plan.routes[0].geometry["coordinates"]
    assert line[0] == line[-1] == list(vertex(0, 0))


def test_target_kinds_priorities_and_service_times_as_of_a_date(conn):
    unit = add_unit(conn)
    lpg = add_house(conn, unit, "LPG", vertex(1, 1))
    add_hazard(conn, lpg, "T-LPG", "lpg_cylinder", "major", date(2026, 11, 1), date(2026, 11, 8))
    add_hazard(
        conn, lpg, "T-WIRE", "improvised_wiring", "general", date(2026, 11, 1), date(2027, 2, 1)
    )
    fixed = add_house(conn, unit, "FIXED", vertex(1, 2))
    add_hazard(
        conn,
        fixed,
        "T-FIX",
        "open_flame",
        "major",
        date(2026, 11, 1),
        date(2026, 11, 8),
        rectified_on=date(2026, 11, 5),
    )
    cctv = add_house(conn, unit, "CCTV", vertex(2, 1))
    add_hazard(conn, cctv, "T-CCTV", "cctv_missing", "general", date(2026, 8, 8), date(2026, 11, 8))
    # Key areas: the analytics risk ranking. Both houses need CCTV (12 tenants ≥ 10, none
    # installed) and lie in the urban village; only CROWD is also a self-built house.
    crowded = add_house(
        conn, unit, "CROWD", vertex(0, 1), tenants=12, registered_tenants=12, is_self_built=True
    )
    quiet = add_house(conn, unit, "QUIET", vertex(0, 2), tenants=12, registered_tenants=12)
    conn.execute(
        text(
            "INSERT INTO key_areas (kind, name, geom) VALUES ('urban_village', '城中村A', "
            "ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(120.070, 31.7015), 4326), 0.0008)))"
        )
    )
    w = load_risk_weights().raw
    crowd_score = (
        w["cctv_violation"]["weight"] + w["key_area"]["urban_village"] + w["self_built"]["weight"]
    )
    quiet_score = w["cctv_violation"]["weight"] + w["key_area"]["urban_village"]
    assert quiet_score < crowd_score
    params = replace(PARAMS, risk_threshold=crowd_score)

    def kinds(on):
        return {t.house_id: t for t in select_targets(conn, on, params, RuleParams())}

    on_deadline = kinds(date(2026, 11, 8))  # the deadline day itself is not overdue
    assert on_deadline[lpg].kinds == ["catastrophic_hazard"]
    assert on_deadline[lpg].priority == 90 + 2 * (2 - 1)  # two hazards to verify there
    assert on_deadline[lpg].service_s == (20 + 10 * 1) * 60  # one open major hazard
    assert on_deadline[fixed].kinds == ["unverified_fix"]
    assert on_deadline[fixed].priority == 20
    assert cctv not in on_deadline  # a general hazard only matters once overdue
    after = kinds(date(2026, 11, 9))
    assert after[lpg].kinds == ["catastrophic_hazard", "overdue"]
    assert after[lpg].hazards[0]["overdue_days"] == 1
    assert after[cctv].kinds == ["overdue"] and after[cctv].priority == 30
    assert after[crowded].kinds == ["key_area"]
    assert after[crowded].risk_score == pytest.approx(crowd_score)
    assert after[crowded].priority == 10 and after[crowded].key_areas == ["城中村A"]
    assert quiet not in after
    # Before anything was found: nothing to revisit.
    assert kinds(date(2026, 7, 31)).keys() == {crowded}


def test_target_limit_keeps_the_highest_priorities(conn):
    unit = add_unit(conn)
    listed = add_house(conn, unit, "LISTED", vertex(1, 0))  # priority 60
    urgent = add_house(conn, unit, "URGENT", vertex(2, 2))  # priority 90
    add_hazard(conn, urgent, "HZ-FLAME", "open_flame", "major", date(2026, 11, 28), D)
    req = PlanRequest(D, 1, depots=[DEPOT], house_ids=[listed], max_targets=1)
    plan, instance = plan_routes(conn, req, PARAMS, RuleParams())
    assert list(_served(plan)) == [urgent] and [j["id"] for j in instance["jobs"]] == [urgent]
    assert [(u.house_id, u.reason) for u in plan.unassigned] == [(listed, "over_limit")]
