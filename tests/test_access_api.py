"""Through the API: audit rows of writes and sensitive reads, the /audit view, incident
aggregates for roles that may not read incidents, and the users/audit commands."""

import json

import pytest
from access_data import load
from access_helpers import PASSWORD, auth_headers, secured_app
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from geo_service.cli import app as cli_app


@pytest.fixture(scope="module")
def town(engine, db_url):
    ids = load(engine)
    # More incidents, so the hot spots have something to find: 12 around HA1, 3 near HB1.
    with engine.begin() as c:
        for k in range(15):
            lon, lat = (120.0105, 31.7005) if k < 12 else (120.0705, 31.7005)
            c.execute(
                text(
                    "INSERT INTO incidents (incident_code, occurred_at, category, address, geom)"
                    " VALUES (:c, TIMESTAMPTZ '2026-10-20 10:00+08', '盗窃', 'x',"
                    " ST_SetSRID(ST_MakePoint(:x, :y), 4326))"
                ),
                {"c": f"IX{k}", "x": lon + 0.0001 * k, "y": lat},
            )
    return ids


@pytest.fixture(scope="module")
def client(town, db_url):
    with TestClient(secured_app(db_url)) as c:
        yield c


def _h(client, role):
    return auth_headers(
        client.app, role, unit={"village": "甲村", "department": "建设局"}.get(role)
    )


def _audit_since(engine, last_id: int) -> list[dict]:
    with engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT actor, action, table_name, record_key, before, after, detail "
                "FROM audit_log WHERE id > :i ORDER BY id"
            ),
            {"i": last_id},
        ).mappings()
        return [dict(r) for r in rows]


def _last_id(engine) -> int:
    with engine.connect() as c:
        return c.execute(text("SELECT coalesce(max(id), 0) FROM audit_log")).scalar()


# -- audit through the API -----------------------------------------------------------------------


def test_a_write_through_the_api_is_audited_with_the_user(client, engine, town):
    _h(client, "supervisor")  # the user exists before the count starts
    start = _last_id(engine)
    r = client.post(
        "/routes/visits",
        json={
            "house_id": town["HB1"],
            "rectified": [town["ZB2"]],
            "visited_at": "2026-11-10T10:00",
        },
        headers=_h(client, "supervisor"),
    )
    assert r.status_code == 200, r.text
    rows = _audit_since(engine, start)
    hazard = [x for x in rows if x["table_name"] == "hazards"]
    assert len(hazard) == 1  # exactly one record of the hazard's change
    (z,) = hazard
    assert (z["actor"], z["action"], z["record_key"]) == ("t_supervisor", "update", "ZB2")
    assert (z["before"]["rectified_on"], z["after"]["rectified_on"]) == (None, "2026-11-10")
    assert z["detail"] == {"role": "supervisor", "request": "POST /routes/visits"}
    assert {x["actor"] for x in rows} == {"t_supervisor"}


def test_a_personal_data_read_leaves_exactly_one_record(client, engine, town):
    h = _h(client, "police")
    start = _last_id(engine)
    r = client.get(f"/map/data/houses/{town['HA1']}", headers=h)
    assert r.json()["landlord_phone"] == "13812345678"
    rows = [x for x in _audit_since(engine, start) if x["action"] == "read_personal"]
    assert len(rows) == 1
    assert (rows[0]["actor"], rows[0]["record_key"]) == ("t_police", "HA1")
    assert rows[0]["detail"]["request"] == f"GET /map/data/houses/{town['HA1']}"
    # the same popup for a leader is masked, and masked reads are not personal-data reads
    start = _last_id(engine)
    r = client.get(f"/map/data/houses/{town['HA1']}", headers=_h(client, "leader"))
    assert r.json()["landlord_phone"] == "138****5678"
    assert [x for x in _audit_since(engine, start) if x["action"] == "read_personal"] == []


def test_an_incident_read_leaves_one_record_per_request(client, engine, town):
    h = _h(client, "police")
    start = _last_id(engine)
    r = client.get("/map/data/incidents.geojson?as_of=2026-11-15", headers=h)
    assert r.status_code == 200
    rows = [x for x in _audit_since(engine, start) if x["table_name"] == "incidents"]
    assert len(rows) == 1
    assert rows[0]["action"] == "read" and rows[0]["actor"] == "t_police"
    assert rows[0]["detail"]["request"] == "GET /map/data/incidents.geojson"
    assert rows[0]["detail"]["rows_scanned"] >= 17


def test_audit_view_for_admin_and_police_only(client, town):
    for role, want in [("admin", 200), ("police", 200), ("leader", 403), ("village", 403)]:
        r = client.get(
            "/audit", params={"since": "2020-01-01", "limit": 5}, headers=_h(client, role)
        )
        assert r.status_code == want, role
    body = client.get(
        "/audit", params={"table": "hazards", "action": "update"}, headers=_h(client, "admin")
    ).json()
    assert body["count"] >= 1 and body["entries"][0]["actor"] == "t_supervisor"


# -- incident aggregates -------------------------------------------------------------------------


def _cells(client, role, **params) -> dict:
    r = client.get(
        "/analytics/incidents/hotspots",
        params={"as_of": "2026-11-15", **params},
        headers=_h(client, role),
    )
    assert r.status_code == 200, r.text
    return {f["id"]: f["properties"]["count"] for f in r.json()["features"]}


def _fixed_grid_counts(engine, since: str, until: str, category: str | None = None) -> dict:
    """The police's incidents since..until binned by PostGIS itself (ST_HexagonGrid of the fixed
    grid, the cell containing each point), cells of fewer than 3 left out: what a leader may
    know, computed without the database functions under test."""
    with engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT h.i, h.j, count(*) FROM incidents x, LATERAL ST_HexagonGrid("
                "incident_grid_size(), ST_Expand(ST_Transform(x.geom, 3857), 1)) h "
                "WHERE ST_Contains(h.geom, ST_Transform(x.geom, 3857)) "
                "AND x.occurred_at >= CAST(:s AS date)::timestamp AT TIME ZONE 'Asia/Shanghai' "
                "AND x.occurred_at < (CAST(:u AS date) + 1)::timestamp AT TIME ZONE "
                "'Asia/Shanghai' AND (CAST(:k AS text) IS NULL OR x.category = :k) "
                "GROUP BY 1, 2 HAVING count(*) >= 3"
            ),
            {"s": since, "u": until, "k": category},
        )
        return {f"{i},{j}": n for i, j, n in rows}


def test_leaders_hot_spots_are_the_polices_on_the_fixed_grid_by_month(client, town, engine):
    police = _cells(client, "police")
    assert sum(police.values()) == 17  # every located incident of the town
    # As of 2026-11-15 the months that have ended run to 2026-10-31: all 17 (October 2026).
    october = _fixed_grid_counts(engine, "2026-10-01", "2026-10-31")
    leader = {k: n for k, n in _cells(client, "leader").items() if n}
    assert leader == october and sum(october.values()) == 17  # no cell below 3 here
    # A day inside the month changes nothing: from 2026-10-10 is all of October (the police,
    # who may know days, see the 15 incidents of 2026-10-20 only).
    assert {k: n for k, n in _cells(client, "leader", date_from="2026-10-10").items() if n} == (
        october
    )
    assert sum(_cells(client, "police", date_from="2026-10-10").values()) == 15
    assert {
        k: n
        for k, n in _cells(client, "supervisor", category="盗窃", date_from="2026-10-10").items()
        if n
    } == _fixed_grid_counts(engine, "2026-10-01", "2026-10-31", "盗窃")


def test_hot_spots_stay_coarse_for_leaders(client, town):
    r = client.get(
        "/analytics/incidents/hotspots", params={"size_m": 50}, headers=_h(client, "leader")
    )
    assert r.status_code == 422
    r = client.get("/analytics/incidents/hotspots", headers=_h(client, "village"))
    assert r.status_code == 403


def test_risk_counts_incidents_for_supervisors_not_villages(client, town):
    def incidents_of(role):
        r = client.get("/analytics/risk", params={"as_of": "2026-11-15"}, headers=_h(client, role))
        assert r.status_code == 200, r.text
        return {
            h["house_code"]: next((f["value"] for f in h["factors"] if f["code"] == "incidents"), 0)
            for h in r.json()["houses"]
        }

    police, supervisor, village = (
        incidents_of("police"),
        incidents_of("supervisor"),
        incidents_of("village"),
    )
    assert police == supervisor and police["HA1"] > 0
    assert set(village) == {"HA1", "HA2"} and village["HA1"] == 0  # not theirs to know


# -- the commands --------------------------------------------------------------------------------


def test_users_commands(db_url, town, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    run = CliRunner().invoke
    r = run(cli_app, ["users", "add", "wang", "--role", "village", "--unit", "乙社区",
                      "--name", "王五", "--password-stdin"], input=PASSWORD + "\n")  # fmt: skip
    assert r.exit_code == 0, r.output
    r = run(cli_app, ["users", "add", "wang2", "--role", "village", "--password-stdin"],
            input=PASSWORD + "\n")  # fmt: skip
    assert r.exit_code == 1 and "--unit" in str(r.exception)
    r = run(cli_app, ["users", "add", "dep", "--role", "department", "--unit", "甲村",
                      "--password-stdin"], input=PASSWORD + "\n")  # fmt: skip
    assert r.exit_code == 1 and "单位类型与角色不符" in str(r.exception)
    r = run(
        cli_app, ["users", "add", "x1", "--role", "leader", "--password-stdin"], input="short\n"
    )
    assert r.exit_code == 1 and "至少 10 位" in str(r.exception)
    assert run(cli_app, ["users", "disable", "wang"]).exit_code == 0
    listed = run(cli_app, ["users", "list", "--json"])
    wang = next(u for u in json.loads(listed.stdout) if u["username"] == "wang")
    assert (wang["role"], wang["unit"], wang["disabled"]) == ("village", "乙社区", True)
    r = run(cli_app, ["users", "passwd", "wang", "--password-stdin"], input="Another-pass-77\n")
    assert r.exit_code == 0
    r = run(cli_app, ["audit", "--since", "2020-01-01", "--table", "users", "--json"])
    actions = [(e["action"], e["record_key"]) for e in json.loads(r.stdout)]
    assert actions[:3] == [
        ("user_password", "wang"),
        ("user_disable", "wang"),
        ("user_add", "wang"),
    ]
