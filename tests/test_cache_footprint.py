"""Scoped invalidation (migration 0021, docs/cache.md): a change to houses of 甲村 keeps the
cached tiles, bbox pages and unit lists of 乙社区, and nothing stale is ever served.

The hand-made town of analytics_data: 甲村's houses lie in lon 120.00–120.01, 乙社区's in
120.01–120.02, at z17 (tiles 0.00275° wide) never in one tile. D = 2026-05-31.
"""

import math

import pytest
from access_helpers import auth_headers
from analytics_data import load
from fastapi.testclient import TestClient
from sqlalchemy import text

from geo_service.api.app import create_app
from geo_service.config import Settings

D = "2026-05-31"
Z = 17


@pytest.fixture(scope="module")
def db(engine):
    load(engine)
    return engine


@pytest.fixture(scope="module")
def app(db, db_url):
    with TestClient(create_app(Settings(database_url=db_url))) as client:
        yield client


@pytest.fixture(scope="module")
def supervisor(app):
    return auth_headers(app.app, "supervisor")


def _point(db, code: str) -> tuple[float, float]:
    with db.connect() as conn:
        return tuple(
            conn.execute(
                text("SELECT ST_X(geom), ST_Y(geom) FROM houses WHERE house_code = :c"), {"c": code}
            ).one()
        )


def _tile_of(lon: float, lat: float) -> str:
    n = 2**Z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return f"{Z}/{x}/{y}"


def _places(db) -> dict[str, str]:
    """The requests about 甲村 (JA-01's tile and unit) and about 乙社区 (YB-01's)."""
    ja, yb = _point(db, "JA-01"), _point(db, "YB-01")
    assert _tile_of(*ja) != _tile_of(*yb)
    box = f"{yb[0] - 1e-4},{yb[1] - 1e-4},{yb[0] + 1e-4},{yb[1] + 1e-4}"
    return {
        "A houses tile": f"/tiles/houses/{_tile_of(*ja)}.pbf?as_of={D}",
        "A hazards tile": f"/tiles/hazards/{_tile_of(*ja)}.pbf?as_of={D}",
        "A overdue": f"/analytics/overdue?as_of={D}&unit=甲村",
        "B houses tile": f"/tiles/houses/{_tile_of(*yb)}.pbf?as_of={D}",
        "B hazards tile": f"/tiles/hazards/{_tile_of(*yb)}.pbf?as_of={D}",
        "B overdue": f"/analytics/overdue?as_of={D}&unit=乙社区&due_within=100",
        "B bbox page": f"/ogc/collections/houses/items?bbox={box}&as_of={D}",
        "town table": f"/analytics/table?as_of={D}",
    }


def _ask(app, headers, places: dict[str, str]) -> dict[str, str]:
    """Each request's X-Cache; a hit must equal the answer computed afresh."""
    seen = {}
    for name, path in places.items():
        r = app.get(path, headers=headers)
        assert r.status_code in (200, 204), (name, r.text)
        if r.headers["x-cache"] == "hit":
            fresh = app.get(path, headers=headers | {"Cache-Control": "no-cache"})
            assert fresh.content == r.content, f"{name}: a stale answer was served"
        seen[name] = r.headers["x-cache"]
    return seen


def _write(db, sql: str) -> None:
    with db.begin() as conn:
        conn.execute(text(sql))


def _last_change(db) -> dict:
    with db.connect() as conn:
        return dict(
            conn.execute(
                text(
                    "SELECT is_global, unit_ids, extent[1] AS x0, extent[3] AS x1 "
                    "FROM data_changes ORDER BY version DESC LIMIT 1"
                )
            )
            .mappings()
            .one()
        )


def _unit_id(db, name: str) -> int:
    with db.connect() as conn:
        return conn.execute(text("SELECT id FROM units WHERE name = :n"), {"n": name}).scalar()


def test_a_change_in_one_village_keeps_the_other_villages_answers(app, db, supervisor):
    places = _places(db)
    _ask(app, supervisor, places)  # everything computed and kept
    assert set(_ask(app, supervisor, places).values()) == {"hit"}
    _write(db, "UPDATE houses SET tenants = tenants + 1 WHERE house_code = 'JA-01'")
    change = _last_change(db)
    assert not change["is_global"] and change["unit_ids"] == [_unit_id(db, "甲村")]
    assert change["x0"] == change["x1"] == _point(db, "JA-01")[0]  # one point, before = after
    assert _ask(app, supervisor, places) == {
        "A houses tile": "miss",  # JA-01 is in it
        "A hazards tile": "miss",  # … and so are its hazards' points
        "A overdue": "miss",  # 甲村's list
        "B houses tile": "hit",
        "B hazards tile": "hit",
        "B overdue": "hit",
        "B bbox page": "hit",
        "town table": "miss",  # no footprint: every change reaches it
    }


def test_a_hazard_counts_at_its_house(app, db, supervisor):
    places = _places(db)
    _ask(app, supervisor, places)
    _write(db, "UPDATE hazards SET rectified_on = '2026-08-01' WHERE hazard_code = 'HB-1'")
    assert _last_change(db)["unit_ids"] == [_unit_id(db, "乙社区")]
    seen = _ask(app, supervisor, places)
    assert (seen["B hazards tile"], seen["B overdue"]) == ("miss", "miss")
    assert (seen["A houses tile"], seen["A hazards tile"], seen["A overdue"]) == ("hit",) * 3
    _write(db, "UPDATE hazards SET rectified_on = NULL WHERE hazard_code = 'HB-1'")


def test_a_moved_house_touches_where_it_was_and_where_it_went(app, db, supervisor):
    places = _places(db)
    _ask(app, supervisor, places)
    ja, yb = _point(db, "JA-02"), _point(db, "YB-01")
    _write(
        db,
        "UPDATE houses SET unit_id = (SELECT id FROM units WHERE name = '乙社区'), "
        f"geom = ST_SetSRID(ST_MakePoint({yb[0] + 1e-5}, {yb[1]}), 4326) "
        "WHERE house_code = 'JA-02'",
    )
    change = _last_change(db)
    assert sorted(change["unit_ids"]) == sorted([_unit_id(db, "甲村"), _unit_id(db, "乙社区")])
    assert (change["x0"], change["x1"]) == (ja[0], yb[0] + 1e-5)
    seen = _ask(app, supervisor, places)
    assert seen["A overdue"] == seen["B overdue"] == seen["B houses tile"] == "miss"
    assert seen["B bbox page"] == "miss"
    r = app.get(places["B bbox page"], headers=supervisor)
    assert "JA-02" in {f["properties"]["house_code"] for f in r.json()["features"]}
    _write(
        db,
        "UPDATE houses SET unit_id = (SELECT id FROM units WHERE name = '甲村'), "
        f"geom = ST_SetSRID(ST_MakePoint({ja[0]}, {ja[1]}), 4326) WHERE house_code = 'JA-02'",
    )


def test_a_change_to_any_other_table_reaches_every_answer(app, db, supervisor):
    places = _places(db)
    _ask(app, supervisor, places)
    _write(db, "UPDATE units SET has_task_list = has_task_list WHERE name = '丁村'")
    assert _last_change(db)["is_global"]
    assert set(_ask(app, supervisor, places).values()) == {"miss"}


def test_an_untouched_answer_keeps_its_etag(app, db, supervisor):
    path = _places(db)["B houses tile"]
    first = app.get(path, headers=supervisor)
    _write(db, "UPDATE houses SET beds = beds + 1 WHERE house_code = 'JA-03'")
    again = app.get(path, headers=supervisor | {"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


def test_answers_older_than_the_changes_kept_are_misses(db):
    with db.connect() as conn:
        kept = conn.execute(text("SELECT data_changes_kept()")).scalar()
        box = "ARRAY[0, 0, 1, 1]::float8[]"
        valid = text(f"SELECT cache_entry_valid(:entry, {box}, NULL, :now)")
        # No change since version 10 is recorded at all, so only the window decides.
        conn.execute(text("DELETE FROM data_changes WHERE version > 10"))
        assert conn.execute(valid, {"entry": 10, "now": 10 + kept - 1}).scalar()
        assert not conn.execute(valid, {"entry": 10, "now": 10 + kept}).scalar()
        conn.rollback()


def test_a_house_just_outside_a_tile_is_still_in_its_footprint(app, db, supervisor):
    # PostGIS compares boxes in single precision rounded outwards: a point 5e-6° (0.5 m) west
    # of a tile at lon 120 is in that tile's answer, so a change to it must reach the tile.
    path = _places(db)["B houses tile"]
    z, x = (int(v) for v in path.split("/")[3:5])  # /tiles/houses/{z}/{x}/{y}.pbf
    west, lat = x / 2**z * 360 - 180, _point(db, "YB-01")[1]
    _write(db, f"UPDATE houses SET geom = ST_SetSRID(ST_MakePoint({west - 5e-6}, {lat}), 4326) "
               "WHERE house_code = 'YB-02'")  # fmt: skip
    app.get(path, headers=supervisor)
    _write(db, "UPDATE houses SET tenants = tenants + 1 WHERE house_code = 'YB-02'")
    assert _ask(app, supervisor, {"B houses tile": path}) == {"B houses tile": "miss"}
