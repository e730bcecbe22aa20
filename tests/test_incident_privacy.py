"""Incidents stay the police's (docs/access.md): the security probe's attacks, replayed.

The town of `access_data` plus, in 甲村, the incident X to find and what surrounds it:
- X: one 诈骗 incident on 2026-11-21, placed at the centre of its cell of the fixed grid;
- T1, T2: two 盗窃 incidents 5 m from X on 2026-11-03 and 2026-11-12 (same cell, other days);
- R0..R7: eight houses 20–190 m from X (all inside X's cell: a cell is ≥ 216 m from its centre
  to any side on the ground).
Today (the machine's clock) is after November 2026, so November is a whole month that has
ended and counts for every role.

Each attack is shown to work for the police (who may read incidents: the test can fail) and to
get nothing finer than one 250 m cell and one calendar month for every other role.
"""

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from access_data import load
from access_helpers import auth_headers, secured_app
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from geo_service.access import session
from geo_service.access.accounts import Principal
from geo_service.access.roles import Role, db_role

X_DAY = "2026-11-21"
# The probe's eight cell sizes between 86 and 117 m.
SIZES = (86, 90, 94, 98, 103, 107, 112, 117)
RING_M = (20, 45, 70, 95, 120, 145, 170, 190)  # R0..R7: distance from X, towards the north-east
NOT_POLICE = ("leader", "supervisor")


def _metres_to_degrees(lat: float) -> tuple[float, float]:
    m_lat = 111_132.954 - 559.822 * math.cos(2 * math.radians(lat))
    m_lon = 111_412.84 * math.cos(math.radians(lat))
    return 1 / m_lon, 1 / m_lat


@pytest.fixture(scope="module")
def town(engine) -> dict:
    ids = load(engine)
    with engine.begin() as c:
        # X at the centre of the fixed-grid cell around (120.03, 31.70).
        x, y = c.execute(
            text(
                "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_Centroid(ST_Hexagon("
                "s, (cell >> 32)::int, ((cell << 32) >> 32)::int, "
                "ST_SetSRID(ST_MakePoint(0, 0), 3857))), 4326) p "
                "FROM (SELECT incident_grid_size() s, incident_grid_cell("
                "ST_SetSRID(ST_MakePoint(120.03, 31.70), 4326), incident_grid_size()) cell) g) q"
            )
        ).one()
        dx, dy = _metres_to_degrees(y)
        incident = (
            "INSERT INTO incidents (incident_code, occurred_at, category, address, unit_id, geom)"
            " VALUES (:c, CAST(:at AS timestamptz), :k, 'x', :u,"
            " ST_SetSRID(ST_MakePoint(:x, :y), 4326)) RETURNING id"
        )
        for code, at, kind, ox in (
            ("X", f"{X_DAY} 10:00+08", "诈骗", 0),
            ("T1", "2026-11-03 09:00+08", "盗窃", 5),
            ("T2", "2026-11-12 21:00+08", "盗窃", -5),
        ):
            ids[code] = c.execute(
                text(incident), {"c": code, "at": at, "k": kind, "u": ids["A"],
                                 "x": x + ox * dx, "y": y},
            ).scalar_one()  # fmt: skip
        for k, d in enumerate(RING_M):
            ids[f"R{k}"] = c.execute(
                text(
                    "INSERT INTO houses (house_code, unit_id, address, landlord_name, rooms, "
                    "beds, tenants, registered_tenants, is_registered, pledge_signed, geom) "
                    "VALUES (:c, :u, :a, '某', 5, 5, 5, 5, true, true, "
                    "ST_SetSRID(ST_MakePoint(:x, :y), 4326)) RETURNING id"
                ),
                {"c": f"R{k}", "u": ids["A"], "a": f"环{k}号",
                 "x": x + d / math.sqrt(2) * dx, "y": y + d / math.sqrt(2) * dy},
            ).scalar_one()  # fmt: skip
    ids["X_lonlat"] = (x, y)
    return ids


@pytest.fixture(scope="module")
def client(town, db_url) -> Iterator[TestClient]:
    with TestClient(secured_app(db_url)) as c:
        yield c


def _h(client, role: str) -> dict[str, str]:
    return auth_headers(client.app, role, unit={"village": "甲村"}.get(role))


def _hotspots(client, role: str, **params):
    return client.get("/analytics/incidents/hotspots", params=params, headers=_h(client, role))


def _counted(body: dict) -> dict[str, int]:
    return {f["id"]: f["properties"]["count"] for f in body["features"] if f["properties"]["count"]}


def _cell_of(client, lonlat) -> str:
    with client.app.state.engine.connect() as c:
        cell = c.execute(
            text(
                "SELECT incident_grid_cell(ST_SetSRID(ST_MakePoint(:x, :y), 4326), "
                "incident_grid_size())"
            ),
            {"x": lonlat[0], "y": lonlat[1]},
        ).scalar_one()
    return f"{cell >> 32},{(cell << 32 & (2**64 - 1)) >> 32}"


# -- finding 1: cells of eight sizes intersected -------------------------------------------------


def test_the_size_attack_works_on_the_polices_own_view(client, town):
    """What the probe did as a leader, done as the police (who may): eight one-incident cells
    whose intersection pins X down to far less than a hectare."""
    cells = []
    for size in SIZES:
        r = _hotspots(client, "police", category="诈骗", date_from=X_DAY, date_to=X_DAY,
                      size_m=size, as_of="2026-12-01")  # fmt: skip
        assert r.status_code == 200, r.text
        (cell,) = [f for f in r.json()["features"] if f["properties"]["count"]]
        assert cell["properties"]["count"] == 1
        cells.append(cell["geometry"])
    with client.app.state.engine.connect() as c:
        area, holds_x = _intersection(c, cells, town["X_lonlat"])
    # ~2,000 m² here (the probe got ~1,400 m²); one 250 m cell is ~162,000 m²
    assert holds_x and area < 5_000


def _intersection(c: Connection, cells: list[dict], lonlat) -> tuple[float, bool]:
    """Area (m²) of the cells' intersection, and whether it holds the point `lonlat`."""
    geoms = [json.dumps(g) for g in cells]
    row = c.execute(
        text(
            "WITH RECURSIVE g(k, geom) AS ("
            " SELECT 1, ST_GeomFromGeoJSON((CAST(:g AS text[]))[1])"
            " UNION ALL SELECT k + 1, ST_Intersection(geom, ST_GeomFromGeoJSON((CAST(:g AS text[]))"
            "[k + 1])) FROM g WHERE k < cardinality(CAST(:g AS text[])))"
            " SELECT ST_Area(CAST(geom AS geography)), "
            " ST_Intersects(geom, ST_SetSRID(ST_MakePoint(:x, :y), 4326))"
            " FROM g ORDER BY k DESC LIMIT 1"
        ),
        {"g": geoms, "x": lonlat[0], "y": lonlat[1]},
    ).one()
    return float(row[0]), bool(row[1])


@pytest.mark.parametrize("role", NOT_POLICE)
def test_the_size_attack_fails_for_other_roles(client, town, role):
    for size in SIZES:
        r = _hotspots(client, role, category="诈骗", date_from=X_DAY, date_to=X_DAY,
                      size_m=size)  # fmt: skip
        assert r.status_code == 422, (size, r.text)
        assert "250" in r.json()["detail"]
    # The one grid they get: X alone that day and kind is a count of 1, which is not shown …
    r = _hotspots(client, role, category="诈骗", date_from=X_DAY, date_to=X_DAY)
    assert r.status_code == 200, r.text
    body = r.json()
    assert _counted(body) == {}
    assert body["months"] == {"from": "2026-11-01", "to": "2026-11-30"}
    assert body["suppressed_below"] == 3
    # … and with every kind, X's cell holds X, T1 and T2 over November: 3, nothing finer.
    body = _hotspots(client, role, date_from=X_DAY, date_to=X_DAY).json()
    assert _counted(body) == {_cell_of(client, town["X_lonlat"]): 3}
    assert all(f["properties"]["count"] not in (1, 2) for f in body["features"])


@pytest.mark.parametrize("role", NOT_POLICE)
def test_days_kinds_and_as_of_days_difference_to_nothing(client, town, role):
    """Any two answers whose windows fall in the same whole months are the same answer."""

    def answer(**params) -> list:
        r = _hotspots(client, role, **params)
        assert r.status_code == 200, r.text
        return [(f["id"], f["properties"]["count"], f["geometry"]) for f in r.json()["features"]]

    november = answer(date_from="2026-11-01", date_to="2026-11-30")
    for lo, hi in [(X_DAY, X_DAY), ("2026-11-20", X_DAY), (X_DAY, "2026-11-22"),
                   ("2026-11-04", "2026-11-11"), ("2026-11-13", "2026-11-20")]:  # fmt: skip
        assert answer(date_from=lo, date_to=hi) == november, (lo, hi)
        for as_of in ("2026-11-30", "2026-12-01", "2026-12-05"):
            assert answer(date_from=lo, date_to=hi, as_of=as_of) == november, (lo, hi, as_of)
    # As-of days inside one month: the months that had ended by then, the same answer.
    assert answer(as_of="2026-11-20") == answer(as_of=X_DAY) == answer(as_of="2026-11-02")
    # Kinds: 诈骗 alone (1) and 盗窃 alone (2) are both below 3; together they are 3.
    assert _counted(_hotspots(client, role, category="盗窃", as_of="2026-12-01").json()) == {}
    both = _hotspots(client, role, category="诈骗,盗窃", as_of="2026-12-01").json()
    assert _counted(both) == {_cell_of(client, town["X_lonlat"]): 3}


def test_one_fixed_grid_of_cells_at_least_250_m_on_the_ground(client, town):
    a = _hotspots(client, "leader", as_of="2026-12-01").json()
    b = _hotspots(client, "leader", as_of="2026-12-01", unit_id=str(town["A"])).json()
    cells_a = {f["id"]: f["geometry"] for f in a["features"]}
    assert all(cells_a[f["id"]] == f["geometry"] for f in b["features"])  # same cells
    assert a["size_m"] == 250 and _hotspots(client, "leader", size_m=250).status_code == 200
    with client.app.state.engine.connect() as c:
        radii = c.execute(
            text(
                "SELECT min(ST_Distance(CAST(ST_Centroid(g) AS geography), "
                "CAST((dp).geom AS geography))) FROM (SELECT g, ST_DumpPoints(g) dp FROM ("
                "SELECT ST_GeomFromGeoJSON(j) g FROM unnest(CAST(:g AS text[])) j) s) t"
            ),
            {"g": [json.dumps(f["geometry"]) for f in a["features"]]},
        ).scalar_one()
    assert radii >= 250  # centre to corner on the spheroid, every cell of the town


# -- finding 2: risk rankings of two as-of days differenced ---------------------------------------


def _incident_factor(client, role: str, as_of: str) -> dict[str, tuple[float, str]]:
    r = client.get(
        "/analytics/risk", params={"as_of": as_of, "limit": 1000}, headers=_h(client, role)
    )
    assert r.status_code == 200, r.text
    out = {}
    for h in r.json()["houses"]:
        (f,) = [f for f in h["factors"] if f["code"] == "incidents"]
        out[h["house_code"]] = (f["value"], f["detail"])
    return out


def test_the_as_of_attack_works_on_the_polices_own_view(client, town):
    before = _incident_factor(client, "police", "2026-11-20")
    after = _incident_factor(client, "police", X_DAY)
    rose = sorted(k for k in after if after[k][0] > before[k][0])
    # X is new on 2026-11-21: every ring house within 200 m of it counts one more.
    assert rose == [f"R{k}" for k in range(len(RING_M))]


@pytest.mark.parametrize("role", NOT_POLICE)
def test_the_as_of_attack_fails_for_other_roles(client, town, role):
    before = _incident_factor(client, role, "2026-11-20")
    assert _incident_factor(client, role, X_DAY) == before  # both: up to 2026-10-31
    assert {before[f"R{k}"][0] for k in range(len(RING_M))} == {0}
    # From 2026-12-01 on, November counts: X, T1 and T2 in the ring houses' one cell, 3 for
    # each of them alike — houses cannot be played against each other to triangulate X.
    december = _incident_factor(client, role, "2026-12-01")
    assert {december[f"R{k}"][0] for k in range(len(RING_M))} == {3}
    assert "2025-12–2026-11" in december["R0"][1]
    assert december["HB1"][0] == 0  # 乙社区's 4 incidents lie in another cell, in October


@pytest.mark.parametrize("role", ["admin", "village"])
def test_administrators_and_villages_get_no_incident_count(client, town, role):
    factors = _incident_factor(client, role, "2026-12-01")
    assert {v for v, _ in factors.values()} == {0}
    assert all("不查看警情" in d for _, d in factors.values())


# -- in the database itself ----------------------------------------------------------------------


@contextmanager
def as_role(engine, role: str, unit_id: int | None = None) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin() as tx:
        session.enter(conn, Principal(0, f"t_{role}", Role(role), unit_id, None, None, 0), "T")
        try:
            yield conn
        finally:
            tx.rollback()


def _error(conn: Connection, sql: str, **params) -> str | None:
    with conn.begin_nested() as sp:
        try:
            conn.execute(text(sql), params)
        except DBAPIError as e:
            sp.rollback()
            return e.orig.pgcode
    return None


_NEAR = (
    "SELECT house_id, incidents FROM incident_counts_near(CAST(:ids AS integer[]), 200, 0.003, "
    "CAST(:since AS date), CAST(:until AS date), NULL) ORDER BY 1"
)


def test_the_database_functions_give_each_role_what_it_may_know(engine, town):
    ring = [town[f"R{k}"] for k in range(len(RING_M))]
    day = {"ids": ring, "since": X_DAY, "until": X_DAY}
    # The police: X on its day, within 200 m of each ring house.
    with as_role(engine, "police") as c:
        assert {n for _, n in c.execute(text(_NEAR), day)} == {1}
    # Leaders, supervisors: the house's cell over whole months that had ended by `until`:
    # none by 2026-11-21; by 2026-12-01 all of November (X, T1, T2), whatever day they pass.
    for role in NOT_POLICE:
        with as_role(engine, role) as c:
            assert c.execute(text(_NEAR), day).all() == [], role
            rows = c.execute(text(_NEAR), {**day, "until": "2026-12-01"}).all()
            assert [n for _, n in rows] == [3] * len(ring), role
            # The counting core and the old free-size hexagons are out of reach.
            assert _error(c, "SELECT * FROM incident_cells(DATE '2026-11-21', "
                             "DATE '2026-11-21', NULL)") == "42501"  # fmt: skip
            assert _error(c, "SELECT * FROM incident_hex_counts(CAST(100 AS float8), 3857, "
                             "DATE '2026-12-01', NULL, NULL, NULL)") == "42883"  # fmt: skip
    for role, unit in (("admin", None), ("village", town["A"]), ("department", town["DEPT"])):
        with as_role(engine, role, unit) as c:
            assert c.execute(text(_NEAR), {**day, "until": "2026-12-01"}).all() == [], role
            assert _error(c, "SELECT * FROM incident_hex_counts(DATE '2026-12-01', NULL, "
                             "NULL, NULL)") == "42501", role  # fmt: skip


def test_no_other_definer_function_reaches_incidents(engine):
    """Every SECURITY DEFINER function the API roles may call, named: a new one must be added
    here with the reason it cannot leak incidents."""
    known = {
        "house_contacts",  # landlord contacts, masked by role (no incidents)
        "audit_incident_reads",  # writes the audit row of a police request
        "incident_counts_near",  # the risk factor: exact for police, fixed grid for leaders…
        "incident_hex_counts",  # hot spots: fixed grid, whole months, counts ≥ 3
        "incident_grid_size",  # the grid's size (no incident data)
        # The learned risk model's feature (0018): incident_hex_counts' cells over whole ended
        # months, for the same roles (and police); nothing for the others.
        "risk_incident_cells",
        # The response cache (docs/cache.md): the API keys every answer by the caller's role
        # and unit; another role's answer is reachable only with SQL of one's own.
        "cache_get",
        "cache_put",
        # PostGIS: a table's extent from planner statistics; the API asks it only for layers
        # the role may read (items.extent after require_readable).
        "st_estimatedextent",
        # Who may be put in a patrol team: user names of supervisors and police (no incidents).
        "patrol_members",
    }
    with engine.connect() as c:
        for role in Role:
            callable_ = set(
                c.execute(
                    text(
                        "SELECT p.proname FROM pg_proc p JOIN pg_namespace n "
                        "ON n.oid = p.pronamespace WHERE n.nspname = 'public' AND p.prosecdef "
                        "AND has_function_privilege(:r, p.oid, 'EXECUTE')"
                    ),
                    {"r": db_role(role)},
                ).scalars()
            )
            assert callable_ <= known, (role, callable_ - known)


def test_administrators_oversee_incident_reads_but_see_no_incident_change(engine, town):
    with engine.begin() as c:  # what the triggers write for a change and for a police read
        c.execute(
            text(
                "INSERT INTO audit_log (actor, action, table_name, record_key, after, detail) "
                "VALUES ('probe', 'update', 'incidents', 'X', "
                'CAST(\'{"address": "环1号", "occurred_at": "2026-11-21"}\' AS jsonb), '
                "'{}'), ('probe', 'read', 'incidents', NULL, NULL, "
                'CAST(\'{"request": "GET /map/data/incidents.geojson"}\' AS jsonb))'
            )
        )
    sql = "SELECT action FROM audit_log WHERE actor = 'probe' ORDER BY id"
    with as_role(engine, "admin") as c:
        assert c.execute(text(sql)).scalars().all() == ["read"]
    with as_role(engine, "police") as c:
        assert c.execute(text(sql)).scalars().all() == ["update", "read"]
