"""Field exports: GPX read back by GDAL (pyogrio), KML, the printable sheet, the saved plan."""

import xml.etree.ElementTree as ET
from datetime import date

import pyogrio
import pytest
from routes_grid import add_hazard, add_house, add_unit, build_grid, vertex
from sqlalchemy import text

from geo_service.db import make_engine
from geo_service.domain.rules import RuleParams
from geo_service.patrol.config import load_route_params
from geo_service.patrol.exports import team_gpx, team_kml, write_team_files
from geo_service.patrol.plan import PlanRequest, plan_routes
from geo_service.patrol.sheet import route_sheet_html
from geo_service.patrol.store import landlord_contacts, load_plan, save_plan


@pytest.fixture(scope="module")
def saved(new_database):
    eng = make_engine(new_database("export"), pool_size=1)
    with eng.begin() as conn:
        build_grid(conn)
        unit = add_unit(conn)
        ids = [add_house(conn, unit, f"H{i}{j}", vertex(i, j)) for i, j in [(2, 2), (2, 0)]]
        add_hazard(conn, ids[0], "HZ-1", "ebike", "major", date(2026, 11, 20), date(2026, 11, 27))
        plan, instance = plan_routes(
            conn,
            PlanRequest(
                date(2026, 12, 1), 1, depots=["{},{}".format(*vertex(0, 0))], house_ids=ids[1:]
            ),
            load_route_params(),
            RuleParams(),
        )
        save_plan(conn, plan, instance, {"teams": 1}, "tester")
    yield eng, plan, ids
    eng.dispose()


def test_gpx_is_read_back_by_gdal(saved, tmp_path):
    _, plan, ids = saved
    path = tmp_path / "team-1.gpx"
    path.write_text(team_gpx(plan, 1), encoding="utf-8")
    layers = {name for name, _ in pyogrio.list_layers(path)}
    assert {"waypoints", "routes", "tracks"} <= layers
    waypoints = pyogrio.read_dataframe(path, layer="waypoints")
    stops = plan.routes[0].stops
    assert list(waypoints["name"]) == [f"{s.seq:02d} {s.house_code}" for s in stops]
    assert waypoints.geometry.x.round(6).tolist() == [round(s.lon, 6) for s in stops]
    tracks = pyogrio.read_dataframe(path, layer="tracks")
    coords = list(tracks.geometry.iloc[0].geoms[0].coords)
    assert coords[0] == pytest.approx(vertex(0, 0)) and coords[-1] == pytest.approx(vertex(0, 0))
    # The track follows the roads: every vertex of it is a grid vertex.
    grid = {vertex(i, j) for i in range(3) for j in range(3)}
    assert {(round(x, 6), round(y, 6)) for x, y in coords} <= grid
    assert "违规停放" in waypoints["desc"].iloc[[s.house_id for s in stops].index(ids[0])]


def test_kml_and_files(saved, tmp_path):
    _, plan, _ = saved
    root = ET.fromstring(team_kml(plan, 1).encode())
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    names = [e.text for e in root.iterfind(".//k:Placemark/k:name", ns)]
    assert names[0] == "第1组 行车路线" and len(names) == 1 + len(plan.routes[0].stops)
    files = write_team_files(plan, tmp_path)
    assert sorted(p.suffix for p in files) == [".gpx", ".kml"]


def test_sheet_hides_contacts_unless_allowed(saved):
    eng, plan, ids = saved
    hidden = route_sheet_html(plan)
    assert "回头看巡查路线单" in hidden and "H22" in hidden and "电瓶车违规停放、充电" in hidden
    assert "13800001234" not in hidden and "按权限隐藏" in hidden
    with eng.connect() as conn:
        shown = route_sheet_html(plan, landlord_contacts(conn, ids))
    assert "13800001234" in shown


def test_saved_plan_and_map_layers(saved):
    eng, plan, _ = saved
    with eng.connect() as conn:
        loaded, instance = load_plan(conn, plan.ref)
        layer = conn.execute(
            text(
                "SELECT team, stops, ST_NPoints(geom) > 2, round(distance_m) = round("
                "ST_Length(geom::geography)) FROM route_plan_routes WHERE plan_ref = :r"
            ),
            {"r": plan.ref},
        ).all()
        stops = conn.execute(
            text("SELECT count(*) FROM route_plan_stops WHERE plan_ref = :r"), {"r": plan.ref}
        ).scalar_one()
    assert loaded.cost == plan.cost and instance["jobs"]
    assert layer == [(1, 2, True, True)] and stops == 2


def test_a_saved_plan_reads_back_as_it_was_planned(saved):
    eng, plan, _ = saved
    with eng.connect() as conn:
        loaded, _ = load_plan(conn, plan.ref)
    assert loaded == plan
    assert loaded.model_dump(mode="json") == plan.model_dump(mode="json")
