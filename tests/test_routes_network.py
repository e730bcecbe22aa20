"""The routing network in PostGIS + pgRouting: topology, snapping, the travel-time matrix."""

from datetime import date

import pytest
from routes_grid import ISOLATED, add_house, add_unit, build_grid, seconds, vertex
from sqlalchemy import text

from geo_service.db import make_engine
from geo_service.domain.rules import RuleParams
from geo_service.errors import SetupError
from geo_service.patrol import network
from geo_service.patrol.config import load_route_params
from geo_service.patrol.plan import PlanRequest, plan_routes

PARAMS = load_route_params()


@pytest.fixture()
def grid_engine(new_database):
    engines = []

    def make(oneway=None):
        eng = make_engine(new_database("routes"), pool_size=1)
        engines.append(eng)
        with eng.begin() as conn:
            build_grid(conn, oneway)
        return eng

    yield make
    for eng in engines:
        eng.dispose()


def _vertices(conn, points):
    snaps = network.snap_points(conn, {str(k): p for k, p in enumerate(points)})
    return [snaps[str(k)].vertex for k in range(len(points))]


def test_two_way_grid_matrix_is_symmetric_and_hand_computed(grid_engine):
    eng = grid_engine()
    corners = [vertex(0, 0), vertex(2, 0), vertex(2, 2), vertex(0, 2), vertex(1, 1)]
    with eng.begin() as conn:
        topo = network.ensure_topology(conn, PARAMS)
        assert topo.rebuilt and topo.edges == 13
        vs = _vertices(conn, corners)
        m = network.cost_matrix(conn, vs)
    assert len(set(vs)) == 5
    for a in vs:
        for b in vs:
            if a != b:
                assert m[(a, b)] == pytest.approx(m[(b, a)], abs=1e-6)
    # V(0,0) → V(2,0): two eastward roads of ~94.7 m each at 10 m/s.
    assert m[(vs[0], vs[1])] == pytest.approx(seconds(((0, 0), (1, 0)), ((1, 0), (2, 0))), 1e-6)
    # V(0,0) → V(1,1): north first, then east — an east-west road 0.001° further north is
    # shorter (cos latitude), so this path beats east-then-north by ~0.1 ms.
    north_east = seconds(((0, 0), (0, 1)), ((0, 1), (1, 1)))
    assert north_east < seconds(((0, 0), (1, 0)), ((1, 0), (1, 1)))
    assert m[(vs[0], vs[4])] == pytest.approx(north_east, rel=1e-9)


def test_one_way_street_is_respected(grid_engine):
    # Road V(0,0)→V(1,0) is one-way eastward: back west is a detour north around the block.
    eng = grid_engine(oneway=((0, 0), (1, 0)))
    with eng.begin() as conn:
        network.ensure_topology(conn, PARAMS)
        a, b = _vertices(conn, [vertex(0, 0), vertex(1, 0)])
        m = network.cost_matrix(conn, [a, b])
    a_to_b = seconds(((0, 0), (1, 0)))  # ≈ 94.7 m / 10 = 9.47 s
    b_to_a = seconds(((1, 0), (1, 1)), ((1, 1), (0, 1)), ((0, 1), (0, 0)))  # ≈ 30.5 s
    assert m[(a, b)] == pytest.approx(a_to_b, rel=1e-6)
    assert m[(b, a)] == pytest.approx(b_to_a, rel=1e-6)
    assert m[(b, a)] > 3 * m[(a, b)]


def test_topology_rebuilds_when_a_road_changes(grid_engine):
    eng = grid_engine()
    with eng.begin() as conn:
        assert network.ensure_topology(conn, PARAMS).rebuilt
        assert not network.ensure_topology(conn, PARAMS).rebuilt
        a, b = _vertices(conn, [vertex(0, 0), vertex(1, 0)])
        before = network.cost_matrix(conn, [a, b])[(b, a)]
        x1, y1 = vertex(0, 0)
        x2, y2 = vertex(1, 0)
        conn.execute(
            text(
                "UPDATE roads SET oneway = 1 WHERE ST_Equals(geom, ST_SetSRID(ST_MakeLine("
                "ST_MakePoint(:x1, :y1), ST_MakePoint(:x2, :y2)), 4326))"
            ),
            {"x1": x1, "y1": y1, "x2": x2, "y2": y2},
        )
        assert network.ensure_topology(conn, PARAMS).rebuilt
        a, b = _vertices(conn, [vertex(0, 0), vertex(1, 0)])
        after = network.cost_matrix(conn, [a, b])[(b, a)]
    assert before == pytest.approx(seconds(((0, 0), (1, 0))), rel=1e-6)
    assert after == pytest.approx(
        seconds(((1, 0), (1, 1)), ((1, 1), (0, 1)), ((0, 1), (0, 0))), rel=1e-6
    )
    with eng.connect() as conn:
        assert network.components(conn) == (2, 11)


def test_unreachable_target_is_reported_not_dropped(grid_engine):
    eng = grid_engine()
    with eng.begin() as conn:
        unit = add_unit(conn)
        ok = add_house(conn, unit, "H-OK", vertex(2, 2))
        cut_off = add_house(conn, unit, "H-ISLAND", ISOLATED[0])
        far = add_house(conn, unit, "H-FAR", (120.070, 31.720))  # ≈ 2 km north of every road
        nowhere = add_house(conn, unit, "H-NOGEOM", None)
        plan, instance = plan_routes(
            conn,
            PlanRequest(
                date(2026, 12, 1),
                teams=1,
                depots=["{},{}".format(*vertex(0, 0))],
                house_ids=[ok, cut_off, far, nowhere],
            ),
            PARAMS,
            RuleParams(),
        )
    reasons = {u.house_id: u.reason for u in plan.unassigned}
    assert reasons == {
        cut_off: "unreachable",
        far: "too_far_from_road",
        nowhere: "no_location",
    }
    assert [s.house_id for r in plan.routes for s in r.stops] == [ok]
    assert [j["id"] for j in instance["jobs"]] == [ok]
    assert plan.totals.targets == 4


def test_missing_pgrouting_is_one_clear_line(grid_engine):
    eng = grid_engine()
    with eng.begin() as conn:
        conn.execute(text("DROP EXTENSION pgrouting"))
        with pytest.raises(SetupError, match="pgRouting") as e:
            network.ensure_topology(conn, PARAMS)
    assert "\n" not in str(e.value)
