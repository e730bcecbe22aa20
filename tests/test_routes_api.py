"""The routes API and CLI end to end on the hand-made grid."""

import json
from datetime import date

import pytest
import vroom
from access_helpers import login_as, secured_app
from fastapi.testclient import TestClient
from routes_grid import add_hazard, add_house, add_unit, build_grid, vertex
from sqlalchemy import text
from typer.testing import CliRunner

from geo_service.cli import app as cli_app
from geo_service.db import make_engine

DEPOT = "{},{}".format(*vertex(0, 0))


@pytest.fixture(scope="module")
def grid_db(new_database):
    url = new_database("api")
    eng = make_engine(url, pool_size=1)
    with eng.begin() as conn:
        build_grid(conn)
        unit = add_unit(conn)
        ids = [add_house(conn, unit, f"A{i}{j}", vertex(i, j)) for i, j in [(2, 2), (2, 0), (1, 2)]]
        hazard = add_hazard(
            conn, ids[0], "A-LPG", "lpg_cylinder", "major", date(2026, 11, 25), date(2026, 12, 2)
        )
    eng.dispose()
    return url, ids, hazard


@pytest.fixture(scope="module")
def client(grid_db):
    """As a police user (派出所), who plans and records the review phase with the supervision
    group (and may read the incidents the risk ranking counts)."""
    with TestClient(secured_app(grid_db[0])) as c:
        yield login_as(c, "police")


def test_plan_export_and_record_over_the_api(client, grid_db):
    _, ids, hazard = grid_db
    body = {
        "date": "2026-12-01",
        "teams": 2,
        "start": "08:30",
        "end": "12:00",
        "depots": [DEPOT],
        "house_ids": ids[1:],
        "windows": {str(ids[1]): ["10:00", "10:30"]},
    }
    r = client.post("/routes/plans", json=body)
    assert r.status_code == 200, r.text
    plan = r.json()
    served = {s["house_id"]: s for route in plan["routes"] for s in route["stops"]}
    assert set(served) == set(ids) and plan["unassigned"] == []
    assert "10:00" <= served[ids[1]]["service_start"] <= "10:30"
    assert client.get(f"/routes/plans/{plan['ref']}").json()["cost"] == plan["cost"]
    instance = client.get(f"/routes/plans/{plan['ref']}/instance").json()
    assert sorted(j["id"] for j in instance["jobs"]) == sorted(ids)
    features = client.get(f"/routes/plans/{plan['ref']}/geojson").json()["features"]
    assert sum(f["geometry"]["type"] == "Point" for f in features) == 3
    team = plan["routes"][0]["team"]
    gpx = client.get(f"/routes/plans/{plan['ref']}/teams/{team}.gpx")
    assert gpx.headers["content-type"].startswith("application/gpx+xml") and "<wpt" in gpx.text
    assert "<Placemark" in client.get(f"/routes/plans/{plan['ref']}/teams/{team}.kml").text
    assert "回头看巡查路线单" in client.get(f"/routes/plans/{plan['ref']}/sheet").text
    # The saved plan is a map layer (routes and numbered stops) like any other.
    lines = client.get(
        "/ogc/collections/patrol_routes/items", params={"plan_ref": plan["ref"]}
    ).json()
    assert [f["geometry"]["type"] for f in lines["features"]] == ["LineString"]
    stops = client.get(
        "/ogc/collections/patrol_stops/items", params={"plan_ref": plan["ref"]}
    ).json()["features"]
    assert sorted(f["properties"]["house_code"] for f in stops) == ["A12", "A20", "A22"]
    assert {f["properties"]["arrival"] for f in stops} == {s["arrival"] for s in served.values()}
    visit = client.post(
        "/routes/visits",
        json={
            "house_id": ids[0],
            "visited_at": "2026-12-01T09:05:00",
            "rectified": [hazard],
            "plan_ref": plan["ref"],
        },
    )
    assert visit.status_code == 200, visit.text
    assert visit.json()["hazards_updated"] == [hazard]
    # In an API request the database's triggers write the audit rows, naming the user.
    eng = make_engine(grid_db[0], pool_size=1)
    with eng.connect() as conn:
        audit = conn.execute(
            text(
                "SELECT table_name, action, actor, after ->> 'verified_on' FROM audit_log"
                " WHERE table_name IN ('hazards', 'review_visits') ORDER BY id"
            )
        ).all()
        recorded_by = conn.execute(text("SELECT recorded_by FROM review_visits")).scalar_one()
    eng.dispose()
    assert [(a[0], a[1], a[3]) for a in audit] == [
        ("hazards", "update", "2026-12-01"),
        ("review_visits", "insert", None),
    ]
    assert {a[2] for a in audit} == {recorded_by} == {"t_police"}
    again = client.get("/routes/targets", params={"date": "2026-12-02"}).json()
    assert ids[0] not in {t["house_id"] for t in again}  # rectified and verified: done


def test_api_mistakes_are_clear(client, grid_db):
    assert client.get("/routes/plans/RP-nope").status_code == 404
    r = client.post("/routes/plans", json={"teams": 1, "start": "8h", "depots": [DEPOT]})
    assert r.status_code == 422 and "HH:MM" in r.json()["detail"]
    r = client.post("/routes/plans", json={"teams": 1, "depots": ["nowhere"]})
    assert r.status_code == 422 and "unknown depot" in r.json()["detail"]


def test_cli_plan_json_and_exported_instance_resolve_alike(grid_db, tmp_path, monkeypatch):
    url, ids, _ = grid_db
    monkeypatch.setenv("DATABASE_URL", url)
    inst = tmp_path / "instance.json"
    args = ["routes", "plan", "--date", "2026-12-01", "--teams", "1", "--depot", DEPOT]
    args += [
        "--house",
        str(ids[1]),
        "--json",
        "--export-instance",
        str(inst),
        "--out",
        str(tmp_path),
    ]
    result = CliRunner().invoke(cli_app, args)
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["cost_unit"] == "s" and plan["unassigned"] == []
    # Anyone can re-solve the exported instance: VROOM on the file gives the same cost.
    exported = json.loads(inst.read_text())
    assert exported["matrices"]["car"]["durations"][0][0] == 0
    solution = vroom.Input.from_json(inst).solve(exploration_level=5, nb_threads=1).to_dict()
    assert solution["summary"]["cost"] == plan["cost"] == plan["totals"]["driving_s"]
    assert {p.suffix for p in tmp_path.iterdir()} == {".json", ".gpx", ".kml", ".html"}
