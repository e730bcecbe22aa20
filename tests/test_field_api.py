"""Publishing a plan and recording visits from phones, over the API, on the hand-made grid.

A visit sent from the field page must change the data exactly as `geo-service routes record`
does, once however often it is sent; its photos are stored with their checksum and survive
`backup` / `restore`.
"""

import hashlib
import io
import json
import os
import subprocess
import sys
import threading
import uuid
from datetime import date, datetime, timedelta

import pytest
from access_helpers import auth_headers, ensure_user, secured_app
from fastapi.testclient import TestClient
from PIL import Image
from routes_grid import add_hazard, add_house, add_unit, build_grid, vertex
from sqlalchemy import text
from typer.testing import CliRunner

from geo_service.cli import app as cli_app
from geo_service.clock import town_tz
from geo_service.crs import wgs84_to_gcj02
from geo_service.db import make_engine

DEPOT = "{},{}".format(*vertex(0, 0))
TODAY = datetime.now(town_tz()).date()
FOUND = date(2026, 11, 25)


@pytest.fixture(scope="module")
def town(new_database):
    """Eight houses on the grid: six for today's plan (the first two with hazards, the sixth
    with none) and two twins left out of it, with the same hazards as each other: one is
    recorded through the field API, the other with `routes record`."""
    url = new_database("field")
    eng = make_engine(url, pool_size=4)
    with eng.begin() as conn:
        build_grid(conn)
        unit = add_unit(conn)
        cells = [(2, 2), (2, 1), (1, 2), (2, 0), (0, 2), (1, 1), (1, 0), (0, 1)]
        ids = [add_house(conn, unit, f"F{i}{j}", vertex(i, j)) for i, j in cells]
        hazards = {}
        for h in [*ids[:2], *ids[6:]]:
            hazards[h] = [
                add_hazard(conn, h, f"LPG-{h}", "lpg_cylinder", "major", FOUND, FOUND),
                add_hazard(conn, h, f"FLAME-{h}", "open_flame", "major", FOUND, FOUND),
            ]
    yield {"url": url, "engine": eng, "ids": ids, "hazards": hazards}
    eng.dispose()


@pytest.fixture(scope="module")
def app(town):
    with TestClient(secured_app(town["url"])) as client:
        yield client


@pytest.fixture(scope="module")
def published(app, town):
    """Today's plan for two teams, published: 队员 zhang in team 1, li and wang in team 2."""
    sup = auth_headers(app.app, "supervisor")
    for name in ("zhang", "li"):
        ensure_user(app.app, "supervisor", username=name)
    ensure_user(app.app, "police", username="wang")
    body = {
        "date": TODAY.isoformat(),
        "teams": 2,
        "start": "08:30",
        "end": "17:30",
        "depots": [DEPOT],
        "house_ids": town["ids"][:6],
        "exclude_house_ids": town["ids"][6:],  # the twins are targets too (overdue hazards)
        # One team could do the six; a pin gives each team a house of its own.
        "pins": {str(town["ids"][0]): 1, str(town["ids"][1]): 2},
    }
    plan = app.post("/routes/plans", json=body, headers=sup).json()
    assert sorted(s["house_id"] for r in plan["routes"] for s in r["stops"]) == sorted(
        town["ids"][:6]
    )
    assert {(u["house_id"], u["reason"]) for u in plan["unassigned"]} == {
        (h, "removed") for h in town["ids"][6:]
    }
    team_of = {s["house_id"]: r["team"] for r in plan["routes"] for s in r["stops"]}
    assert (team_of[town["ids"][0]], team_of[town["ids"][1]]) == (1, 2)
    members = {1: ["zhang"], 2: ["li", "wang"]}
    r = app.post(f"/routes/plans/{plan['ref']}/publish", json={"members": members}, headers=sup)
    assert r.status_code == 200, r.text
    assert r.json()["members"] == {str(k): sorted(v) for k, v in members.items()}
    return plan, members


def _visit(house_id, plan_ref=None, team=None, **kw):
    return {
        "client_id": str(uuid.uuid4()),
        "house_id": house_id,
        "status": "visited",
        "visited_at": datetime.now(town_tz()).isoformat(),
        "plan_ref": plan_ref,
        "team": team,
        **kw,
    }


def _post(app, user, visit, photos=()):
    files = [("photos", (f"p{i}.jpg", data, "image/jpeg")) for i, data in enumerate(photos)]
    return app.post(
        "/routes/field/visits",
        data={"visit": json.dumps(visit)},
        files=files or None,
        headers=auth_headers(app.app, "supervisor", username=user)
        if user != "wang"
        else auth_headers(app.app, "police", username=user),
    )


def _jpeg(width=1600, height=1200) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buf, "JPEG", quality=80)
    return buf.getvalue()


def _team_of(plan, members, user):
    team = next(t for t, names in members.items() if user in names)
    route = next(r for r in plan["routes"] if r["team"] == team)
    return team, [s["house_id"] for s in route["stops"]]


def test_a_member_gets_the_route_of_their_team_with_navigation(app, published):
    plan, members = published
    team, houses = _team_of(plan, members, "li")
    r = app.get("/routes/field/today", headers=auth_headers(app.app, "supervisor", username="li"))
    assert r.status_code == 200, r.text
    today = r.json()
    assert (today["plan_ref"], today["team"]) == (plan["ref"], team)
    assert today["members"] == ["li", "wang"]
    assert [s["house_id"] for s in today["stops"]] == houses
    stop = today["stops"][0]
    assert stop["reasons_zh"] and stop["address"].startswith("测试村")
    glon, glat = wgs84_to_gcj02(stop["lon"], stop["lat"])
    assert stop["geo_uri"].startswith(f"geo:{stop['lat']:.6f},{stop['lon']:.6f}?q=")
    assert f"to={float(glon):.6f},{float(glat):.6f}," in stop["amap_url"]
    assert "coordinate=gaode" in stop["amap_url"]
    # Somebody in no team of today's plan has no route, and says so.
    other = app.get("/routes/field/today", headers=auth_headers(app.app, "supervisor"))
    assert other.json()["plan_ref"] is None and other.json()["route"] is None
    # Village staff are not team members.
    village = auth_headers(app.app, "village", unit="测试村")
    assert app.get("/routes/field/today", headers=village).status_code == 403


def test_publishing_refuses_unknown_members_and_teams(app, published):
    plan, _ = published
    sup = auth_headers(app.app, "supervisor")
    ensure_user(app.app, "leader", username="boss")
    url = f"/routes/plans/{plan['ref']}/publish"
    r = app.post(url, json={"members": {"1": ["boss"]}}, headers=sup)
    assert r.status_code == 422 and "boss" in r.json()["detail"]
    r = app.post(url, json={"members": {"9": ["zhang"]}}, headers=sup)
    assert r.status_code == 422 and "9" in r.json()["detail"]
    r = app.post(url, json={"members": {"1": ["zhang"], "2": ["zhang"]}}, headers=sup)
    assert r.status_code == 422 and "zhang" in r.json()["detail"]
    assert app.post("/routes/plans/RP-none/publish", json={}, headers=sup).status_code == 404
    listed = app.get("/routes/plans", headers=sup).json()
    assert listed[0]["ref"] == plan["ref"] and listed[0]["published_at"]


def test_a_field_visit_is_written_once_however_often_it_is_sent(app, town, published):
    plan, members = published
    team, houses = _team_of(plan, members, "zhang")
    house = houses[0]
    lpg, flame = town["hazards"].get(house, [None, None])
    visit = _visit(house, plan["ref"], team, lon=120.0712, lat=31.7021, accuracy_m=8.5)
    if lpg:
        visit |= {"rectified": [lpg], "still_open": [flame]}
    visit["new_hazards"] = [{"category": "ebike", "description": "楼道充电"}]
    photo = _jpeg()
    first = _post(app, "zhang", visit, [photo])
    assert first.status_code == 201, first.text
    again = _post(app, "zhang", visit, [photo])  # a retry after a lost answer
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert again.json()["visit_ids"] == first.json()["visit_ids"]
    with town["engine"].connect() as c:
        rows = c.execute(
            text(
                "SELECT count(*), min(status), min(accuracy_m), min(ST_X(position))"
                " FROM field_visits WHERE client_id = :c"
            ),
            {"c": visit["client_id"]},
        ).one()
        review = c.execute(
            text("SELECT outcome, photos FROM review_visits WHERE house_id = :h ORDER BY id"),
            {"h": house},
        ).all()
        stored = c.execute(
            text(
                "SELECT sha256, encode(sha256(data), 'hex'), width, height, bytes"
                " FROM visit_photos WHERE house_id = :h"
            ),
            {"h": house},
        ).all()
    assert rows == (1, "visited", 8.5, 120.0712)
    sha = hashlib.sha256(photo).hexdigest()
    assert stored == [(sha, sha, 1600, 1200, len(photo))]
    outcomes = [o for o, _ in review]
    assert outcomes.count("new_hazard") == 1  # written once
    assert all(p == [f"sha256:{sha}"] for _, p in review)
    # The photo is served by its checksum to who may see the visit.
    img = app.get(f"/routes/photos/{sha}", headers=auth_headers(app.app, "leader"))
    assert img.status_code == 200 and img.content == photo
    assert img.headers["content-type"] == "image/jpeg"
    # The stop now shows as visited on the team's route.
    today = app.get(
        "/routes/field/today", headers=auth_headers(app.app, "supervisor", username="zhang")
    ).json()
    done = {s["house_id"]: s["visit"] for s in today["stops"]}
    assert done[house]["status_zh"] == "已走访" and done[house]["by"] == "zhang"


def test_concurrent_sends_of_one_visit_make_one_record(app, town, published):
    plan, members = published
    team, houses = _team_of(plan, members, "li")
    visit = _visit(houses[-1], plan["ref"], team, status="no_access", notes="敲门无人")
    answers = []

    def send():
        answers.append(_post(app, "li", visit))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 201], [a.text for a in answers]
    with town["engine"].connect() as c:
        n = c.execute(
            text(
                "SELECT count(*) FROM review_visits WHERE house_id = :h AND outcome = 'no_access'"
            ),
            {"h": houses[-1]},
        ).scalar_one()
    assert n == 1


def _state(conn, house):
    """What a visit changes, for comparing two houses visited alike."""
    hazards = conn.execute(
        text(
            "SELECT category, rectified_on, verified_on FROM hazards WHERE house_id = :h"
            " ORDER BY category, id"
        ),
        {"h": house},
    ).all()
    outcomes = conn.execute(
        text(
            "SELECT v.outcome, z.category, v.notes FROM review_visits v"
            " LEFT JOIN hazards z ON z.id = v.hazard_id WHERE v.house_id = :h ORDER BY v.id"
        ),
        {"h": house},
    ).all()
    inspections = conn.execute(
        text("SELECT kind, inspected_on FROM inspections WHERE house_id = :h"), {"h": house}
    ).all()
    last = conn.execute(
        text("SELECT last_inspected_on FROM houses WHERE id = :h"), {"h": house}
    ).scalar_one()
    return hazards, outcomes, inspections, last


def test_a_field_visit_changes_the_data_as_routes_record_does(app, town, monkeypatch):
    """The twins have the same two hazards; one is recorded from a phone, the other with the
    CLI: LPG rectified, open flame still open, a new e-bike hazard, a note."""
    field_house, cli_house = town["ids"][6], town["ids"][7]
    f_lpg, f_flame = town["hazards"][field_house]
    c_lpg, c_flame = town["hazards"][cli_house]
    now = datetime.now(town_tz()).replace(second=0, microsecond=0)
    visit = _visit(
        field_house,
        rectified=[f_lpg],
        still_open=[f_flame],
        new_hazards=[{"category": "ebike", "severity": "major", "description": "楼道充电"}],
        notes="复查",
        visited_at=now.isoformat(),
    )
    assert _post(app, "zhang", visit).status_code == 201
    monkeypatch.setenv("DATABASE_URL", town["url"])
    res = CliRunner().invoke(
        cli_app,
        [
            "routes", "record", "--house", str(cli_house), "--at", f"{now:%Y-%m-%d %H:%M}",
            "--rectified", str(c_lpg), "--still-open", str(c_flame),
            "--new-hazard", "ebike:major:楼道充电", "--notes", "复查",
        ],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    with town["engine"].connect() as c:
        field_state, cli_state = _state(c, field_house), _state(c, cli_house)
    assert field_state == cli_state
    hazards, outcomes, inspections, last = field_state
    # LPG: rectified and verified on the visit day; the new e-bike hazard is open.
    assert ("lpg_cylinder", now.date(), now.date()) in hazards
    assert ("ebike", None, None) in hazards
    assert [o[0] for o in outcomes] == ["rectified", "still_open", "new_hazard"]
    assert inspections == [("review", now.date())] and last == now.date()


def test_a_visit_with_nothing_to_record_and_a_refused_entry(app, town):
    free = town["ids"][5]  # no hazards
    assert _post(app, "zhang", _visit(free)).status_code == 201
    assert _post(app, "zhang", _visit(free, status="refused")).status_code == 201
    with town["engine"].connect() as c:
        outcomes = c.execute(
            text("SELECT outcome FROM review_visits WHERE house_id = :h ORDER BY id"), {"h": free}
        ).scalars()
        assert list(outcomes) == ["checked", "refused"]


def _count(town, house):
    with town["engine"].connect() as c:
        return c.execute(
            text("SELECT count(*) FROM review_visits WHERE house_id = :h"), {"h": house}
        ).scalar_one()


def test_field_mistakes_are_clear_and_write_nothing(app, town):
    house = town["ids"][4]
    before = _count(town, house)
    cases = [
        (_visit(house, status="gone"), "status"),
        (_visit(house, status="no_access", rectified=[1]), "no access"),
        (_visit(house, visited_at=(datetime.now(town_tz()) + timedelta(hours=3)).isoformat()),
         "future"),
        (_visit(house, lon=120.07), "lon and lat"),
        (_visit(house, new_hazards=[{"category": "nonsense"}]), "unknown hazard category"),
        (_visit(10**6), "no house"),
    ]  # fmt: skip
    for visit, message in cases:
        r = _post(app, "zhang", visit)
        assert r.status_code in (404, 422) and message in r.json()["detail"], (message, r.text)
    r = _post(app, "zhang", _visit(house), [b"not an image"])
    assert r.status_code == 422 and "不是可识别的图片" in r.json()["detail"]
    r = _post(app, "zhang", _visit(house), [_jpeg(3000, 2000)])
    assert r.status_code == 422 and "像素" in r.json()["detail"]
    r = app.post(
        "/routes/field/visits",
        data={"visit": "{not json"},
        headers=auth_headers(app.app, "supervisor", username="zhang"),
    )
    assert r.status_code == 422 and "走访记录格式有误" in r.json()["detail"]
    # Another user cannot take over a visit id.
    visit = _visit(house, status="no_access")
    assert _post(app, "zhang", visit).status_code == 201
    r = _post(app, "li", visit)
    assert r.status_code == 422 and "另一条" in r.json()["detail"]
    assert _count(town, house) == before + 1  # only the last, valid visit


def _cli(url, *args):
    return subprocess.run(
        [sys.executable, "-m", "geo_service", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": url},
        timeout=180,
    )


def test_photos_survive_backup_and_restore(app, town, tmp_path):
    def photos():
        with town["engine"].connect() as c:
            return c.execute(
                text(
                    "SELECT sha256, encode(sha256(data), 'hex') = sha256, bytes FROM visit_photos"
                    " ORDER BY id"
                )
            ).all()

    before = photos()
    assert before and all(ok for _, ok, _ in before)
    dump = tmp_path / "geo.dump"
    assert _cli(town["url"], "backup", str(dump)).returncode == 0
    town["engine"].dispose()
    with town["engine"].begin() as c:
        c.execute(text("DELETE FROM field_visits"))
    assert photos() == []
    town["engine"].dispose()
    r = _cli(town["url"], "restore", str(dump), "--yes")
    assert r.returncode == 0, r.stderr
    assert photos() == before
