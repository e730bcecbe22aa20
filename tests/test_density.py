"""Hazard density: hexagon binning agrees with PostGIS's grid, and the hex / unit / heat
figures of the hand-made town (`spatial_data`, as of 2025-03-01) match counts worked by hand."""

import json
import math
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import Point, shape
from spatial_data import AS_OF, H, as_police, load
from sqlalchemy import text
from typer.testing import CliRunner

from geo_service.api.app import create_app
from geo_service.cli import app as cli_app
from geo_service.config import Settings
from geo_service.scope import make_scope
from geo_service.spatial import density, items
from geo_service.spatial.density import cell_size
from geo_service.spatial.selection import select
from geo_service.sqlfiles import render
from layers.registry import get_layer

DAY = AS_OF.isoformat()


@pytest.fixture(scope="module")
def town(engine) -> dict[str, int]:
    return load(engine)


@pytest.fixture(scope="module")
def client(town, db_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=db_url))) as c:
        yield as_police(c)


@pytest.mark.parametrize("size", [37.5, 200.0, 1000.0])
def test_binning_matches_postgis_hexagons(engine, size):
    # 3000 random points around the town: each must fall in the ST_Hexagon of the (i, j)
    # the arithmetic binning gives it.
    points = (
        "SELECT ST_X(g) AS x, ST_Y(g) AS y FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint("
        "120 + 0.1 * random(), 31.65 + 0.1 * random()), 4326), 3857) AS g "
        "FROM generate_series(1, 3000)) s"
    )
    sql = (
        "SELECT count(*) FILTER (WHERE NOT ST_Intersects(ST_Hexagon(:size, b.i, b.j, "
        "ST_SetSRID(ST_MakePoint(0, 0), :srid)), ST_SetSRID(ST_MakePoint(b.x, b.y), :srid))), "
        f"count(*) FROM ({render('geo_service.spatial', 'sql/hex_bin.sql', points=points)}) b"
    )
    with engine.connect() as c:
        c.execute(text("SELECT setseed(0.42)"))
        outside, total = c.execute(text(sql), {"size": size, "srid": 3857}).one()
    assert (outside, total) == (0, 3000)


def _cell_of(features: list[dict], house: str) -> dict:
    point = Point(*H[house])
    return next(f["properties"] for f in features if shape(f["geometry"]).contains(point))


def test_hex_counts(client):
    r = client.get("/analytics/density/hex", params={"as_of": DAY, "size_m": 200})
    assert r.status_code == 200 and r.headers["content-type"] == "application/geo+json"
    body = r.json()
    assert body["size_m"] == 200 and body["srid"] == 3857 and body["as_of"] == DAY
    feats = body["features"]
    # Located hazards found by 03-01: Z1, Z2 (H1), Z3 (H2), Z4, Z5 (H3), Z8 (H4) — 6 in all;
    # the four houses are kilometres apart, so in four different 200 m hexagons.
    assert sum(f["properties"]["count"] for f in feats) == 6 and len(feats) == 4
    h1 = _cell_of(feats, "H1")
    assert (h1["count"], h1["major"], h1["open"], h1["overdue"], h1["rectified"]) == (
        2, 1, 1, 1, 0,
    )  # fmt: skip
    # A flat-topped hexagon of circumradius 200 m is 400 m wide on the ground: in degrees of
    # longitude at 31.7°N, 400 / (111 320 × cos 31.7°) ≈ 0.004231 (the grid is Web Mercator
    # scaled by 1 / cos of the town's latitude).
    minx, _, maxx, _ = shape(feats[0]["geometry"]).bounds
    assert maxx - minx == pytest.approx(400 / (111_320 * math.cos(math.radians(31.7))), rel=0.005)
    h2 = _cell_of(feats, "H2")
    assert (h2["count"], h2["rectified"]) == (1, 1)
    h3 = _cell_of(feats, "H3")
    assert (h3["count"], h3["major"], h3["overdue"]) == (2, 1, 1)


def test_hex_filters_and_sizes(client):
    def total(**params) -> int:
        fc = client.get("/analytics/density/hex", params={"as_of": DAY, **params}).json()
        return sum(f["properties"]["count"] for f in fc["features"])

    assert total(status="overdue") == 2  # Z1, Z5
    assert total(key_area_kind="urban_village") == 3  # H1, H2: Z1, Z2, Z3
    assert total(severity="major", unit_id="2") == 1  # Z4 (unit B has id 2)
    assert total(date_from="2025-02-01", date_to="2025-02-28") == 3  # Z1, Z3, Z4
    assert total(layer="houses") == 4
    assert total(layer="incidents") == 4  # I1–I4; I5 is on 03-02
    # zoom 14 at 31.7°N: 24 px × 156543.03392 m × cos(31.7°) / 2^14 ≈ 195.1 m
    fc = client.get("/analytics/density/hex", params={"as_of": DAY, "zoom": 14}).json()
    assert fc["size_m"] == pytest.approx(
        24 * 156543.03392 * math.cos(math.radians(31.7)) / 2**14, abs=0.1
    )
    assert cell_size(None, None) == 200.0
    assert client.get("/analytics/density/hex", params={"size_m": 5}).status_code == 422
    assert client.get("/analytics/density/hex", params={"layer": "roads"}).status_code == 422
    assert client.get("/analytics/density/hex", params={"sevrity": "major"}).status_code == 422


def test_unit_choropleth(client, town):
    fc = client.get("/analytics/density/units", params={"as_of": DAY}).json()
    rows = {f["properties"]["name"]: f["properties"] for f in fc["features"]}
    assert set(rows) == {"东村", "西社区"}  # the department has no territory
    a, b = rows["东村"], rows["西社区"]
    # 东村: houses H1, H2, H5 (no point, still counted) = 3; hazards Z1, Z2, Z3, Z7 = 4
    # (open Z2; overdue Z1, Z7; rectified Z3; major Z1, Z3, Z7); 4 / 3 × 100 = 133.3.
    assert (a["houses"], a["hazards"], a["open"], a["overdue"], a["rectified"], a["major"]) == (
        3, 4, 1, 2, 1, 3,
    )  # fmt: skip
    assert (a["hazards_per_100_houses"], a["overdue_per_100_houses"]) == (133.3, 66.7)
    assert a["unrectified_per_100_houses"] == 100.0  # (1 + 2) / 3
    # 西社区: H3, H4; Z4 (open), Z5 (overdue), Z8 (open); 3 / 2 × 100 = 150.0.
    assert (b["houses"], b["hazards"], b["overdue"], b["hazards_per_100_houses"]) == (
        2,
        3,
        1,
        150.0,
    )
    only_b = client.get(
        "/analytics/density/units", params={"as_of": DAY, "unit_id": town["B"]}
    ).json()
    assert [f["properties"]["name"] for f in only_b["features"]] == ["西社区"]
    lpg = client.get("/analytics/density/units", params={"as_of": DAY, "category": "lpg_cylinder"})
    rows = {f["properties"]["name"]: f["properties"] for f in lpg.json()["features"]}
    assert (rows["东村"]["hazards"], rows["东村"]["houses"], rows["西社区"]["hazards"]) == (1, 3, 0)
    assert rows["西社区"]["hazards_per_100_houses"] == 0.0


def test_heat_weights(client, town):
    fc = client.get("/analytics/density/heat", params={"as_of": DAY}).json()
    weights = {
        f["properties"]["house_id"]: float(f["properties"]["weight"]) for f in fc["features"]
    }
    # Unrectified only. H1: Z1 major overdue 3×2 + Z2 general open 1 = 7;
    # H3: Z4 major open 3 + Z5 general overdue 1×2 = 5; H4: Z8 general open 1. H2: none.
    assert weights == {town["H1"]: 7, town["H3"]: 5, town["H4"]: 1}
    pts = client.get(
        "/analytics/density/heat", params={"as_of": DAY, "format": "points", "w_major": 2}
    ).json()["points"]
    # w_major 2: H1 = 2×2 + 1 = 5, H3 = 2 + 2 = 4, H4 = 1; as [lat, lon, weight].
    assert [[round(float(v), 3) for v in p] for p in pts] == [
        [31.7, 120.01, 5], [31.69, 120.06, 4], [31.71, 120.08, 1],
    ]  # fmt: skip


def test_heat_grid_by_zoom(client, town):
    """At map zoom 6 a grid cell is 4 px × 2π·6378137 m / 256 px / 2^6 = 9,783.94 Mercator m.
    x = 6378137 × radians(lon): H1 120.01° → 13,359,452 → cell 13,359,452 / 9,783.94 = 1365.45;
    H3 120.06° → 1366.02; H4 120.08° → 1366.24. y = 6378137 × ln tan(45° + lat / 2): H1 31.70°
    → 3,723,996 → 380.62; H3 31.69° → 380.49; H4 31.71° → 380.76. So H1 is alone in cell
    (1365, 380) and H3, H4 share (1366, 380): weight 5 + 1 = 6 at the weight-centred place
    lon (5 × 120.06 + 1 × 120.08) / 6 = 120.063333, lat (5 × 31.69 + 31.71) / 6 = 31.693333;
    hazards 2 + 1 = 3 of 2 houses. A cell of one house keeps the house's own point."""
    fc = client.get("/analytics/density/heat", params={"as_of": DAY, "zoom": 6}).json()
    got = [
        (
            [round(c, 6) for c in f["geometry"]["coordinates"]],
            float(f["properties"]["weight"]),
            f["properties"]["hazards"],
            f["properties"]["houses"],
        )
        for f in fc["features"]
    ]
    assert got == [([120.01, 31.7], 7, 2, 1), ([120.063333, 31.693333], 6, 3, 2)]
    pts = client.get(
        "/analytics/density/heat", params={"as_of": DAY, "format": "points", "zoom": 6}
    ).json()["points"]
    assert [[round(float(v), 6) for v in p] for p in pts] == [
        [31.7, 120.01, 7], [31.693333, 120.063333, 6],
    ]  # fmt: skip
    # At zoom 12 (152.87 m cells) every house has a cell of its own: the points of no grid.
    grid = client.get(
        "/analytics/density/heat", params={"as_of": DAY, "format": "points", "zoom": 12}
    ).json()["points"]
    plain = client.get("/analytics/density/heat", params={"as_of": DAY, "format": "points"})
    assert grid == plain.json()["points"]
    # and the view's bbox keeps only its cells (H1's)
    boxed = client.get(
        "/analytics/density/heat",
        params={"as_of": DAY, "format": "points", "zoom": 6, "bbox": "120.0,31.69,120.03,31.71"},
    ).json()["points"]
    assert boxed == [[31.7, 120.01, 7]]
    bad = client.get("/analytics/density/heat", params={"as_of": DAY, "zoom": 25})
    assert bad.status_code == 422


def test_cli_density_json(db_url, town, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    result = CliRunner().invoke(cli_app, ["density", "--as-of", DAY, "--unit", "东村", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["rows"]
    assert [(r["name"], r["hazards"], r["hazards_per_100_houses"]) for r in rows] == [
        ("东村", 4, 133.3)
    ]
    result = CliRunner().invoke(
        cli_app, ["density", "--as-of", DAY, "--hex", "--category", "违规使用液化气瓶", "--json"]
    )
    assert [r["count"] for r in json.loads(result.output)["rows"]] == [1]  # Z1 only


def test_demo_town_totals_agree(demo_engine, demo_as_of):
    # On the synthetic demo town (read-only): every located hazard found by the day lands in
    # exactly one hexagon, the overdue ones too, and the unit table counts at least as many
    # (it also counts hazards at houses not yet on the map).
    day = make_scope(as_of=demo_as_of)
    with demo_engine.connect() as c:
        hazards = items.count(c, select(c, get_layer("hazards"), day))
        overdue = items.count(c, select(c, get_layer("overdue"), day))
        hexes = json.loads(density.hexagons(c, day, "hazards", 300.0)[0])
        units = json.loads(density.units(c, day)[0])
    assert hazards > 1000 and overdue > 0
    assert sum(f["properties"]["count"] for f in hexes) == hazards
    assert sum(f["properties"]["overdue"] for f in hexes) == overdue
    assert sum(u["properties"]["hazards"] for u in units) >= hazards


@pytest.mark.parametrize("day", ["2026-09-30", "2026-10-31", "2026-11-15"])
def test_demo_town_ledger_equals_direct(demo_engine, day):
    # The choropleth's two paths (docs/ledger.md) give the same features on the demo town:
    # every unit, three days, the filters the ledger answers — alone and together.
    with demo_engine.connect() as c:
        units = c.execute(text("SELECT id FROM units WHERE kind = 'village' ORDER BY id")).scalars()
        first = str(next(iter(units)))
        filters = [
            {},
            {"unit_id": first},
            {"category": "lpg_cylinder,ebike"},
            {"severity": "major"},
            {"status": "overdue"},
            {"key_area_kind": "urban_village"},
            {"key_area_kind": "rural_self_built", "severity": "general"},
            {"unit_id": first, "category": "open_flame", "key_area_kind": "campus,old_estate"},
        ]
        for f in filters:
            scope = make_scope(as_of=day, **f)
            direct = json.loads(density.units_direct(c, scope))
            summed = json.loads(density.units_ledger(c, scope))
            assert summed == direct, f
            if not f:
                assert sum(u["properties"]["hazards"] for u in direct) > 1000


def test_unit_counts_a_hazard_while_its_house_exists(engine, town):
    # A house of 东村 first recorded on D + 1 (台账 effective then), with a hazard found on D - 10:
    # on D neither is in 东村's figures (the house does not exist yet, as in the 附件1/附件2
    # counts); on D + 1 both are: houses and hazards one more than before the insert.
    later = AS_OF + timedelta(days=1)

    def east(c, day) -> list[tuple[int, int]]:
        scope = make_scope(as_of=day.isoformat(), unit_id=str(town["A"]))
        out = []
        for path in (density.units_direct, density.units_ledger):
            (f,) = json.loads(path(c, scope))
            out.append((f["properties"]["houses"], f["properties"]["hazards"]))
        return out

    with engine.connect() as c, c.begin() as tx:
        before = east(c, later)
        c.execute(text("SELECT set_config('geo.effective', :d, true)"), {"d": later.isoformat()})
        c.execute(
            text(
                "INSERT INTO houses (house_code, unit_id, address, landlord_name, rooms, beds, "
                "tenants, registered_tenants, is_registered, pledge_signed, geom) "
                "SELECT 'LATE-1', unit_id, address || '后', '房东', 11, 1, 3, 3, true, true, geom "
                "FROM houses WHERE id = :h"
            ),
            {"h": town["H1"]},
        )
        c.execute(
            text(
                "INSERT INTO hazards (hazard_code, house_id, category, severity, found_on, due_on, "
                "posted_on_wall, entered_in_system) SELECT 'LATE-Z', id, 'lpg_cylinder', 'major', "
                "CAST(:f AS date), CAST(:f AS date), true, true FROM houses "
                "WHERE house_code = 'LATE-1'"
            ),
            {"f": AS_OF - timedelta(days=10)},
        )
        assert east(c, AS_OF) == [(3, 4), (3, 4)]  # unchanged (test_unit_choropleth's figures)
        (houses, hazards) = before[0]
        assert before[0] == before[1]
        assert east(c, later) == [(houses + 1, hazards + 1)] * 2
        tx.rollback()
