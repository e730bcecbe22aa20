"""The map's own queries: packaged SQL, run with the filters as bound parameters.

Each query answers in one statement (PostGIS builds the GeoJSON); Python only passes it on.
"""

from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import Connection, text

from geo_service.errors import NotFoundError
from web_map.filters import MapFilters

GEOJSON_LAYERS = ("units", "key_areas", "houses", "hazards", "incidents", "routes")


def _read(name: str) -> str:
    return resources.files("web_map").joinpath("sql", f"{name}.sql").read_text("utf-8")


def _fragment(name: str) -> str:
    lines = [ln for ln in _read(name).splitlines() if not ln.lstrip().startswith("--")]
    return "(" + "\n".join(lines).strip() + ")"


@cache
def sql(name: str) -> str:
    """The text of `web_map/sql/<name>.sql`, with the shared filter fragments spliced in."""
    text_ = _read(name)
    for fragment in ("house_scope", "hazard_scope", "bbox"):
        text_ = text_.replace(f"/*{fragment}*/", _fragment(f"_{fragment}"))
    return text_


def geojson(conn: Connection, layer: str, f: MapFilters) -> dict[str, Any]:
    """The FeatureCollection of one of `GEOJSON_LAYERS` under the filters."""
    if layer not in GEOJSON_LAYERS:
        raise NotFoundError(f"未知图层 unknown map layer: {layer!r}")
    return conn.execute(text(sql(layer)), f.sql_params()).scalar_one()


def house(conn: Connection, house_id: int, f: MapFilters) -> dict[str, Any]:
    """One house with the hazards found in it and its review visits, up to the as-of day."""
    row = conn.execute(text(sql("house")), {"id": house_id}).mappings().one_or_none()
    if row is None:
        raise NotFoundError(f"房屋不存在 no house with id {house_id}")
    hazards = conn.execute(text(sql("house_hazards")), {"id": house_id, "as_of": f.day})
    visits = []
    # Departments are not given the review visits (only the hazards transferred to them).
    if conn.execute(text("SELECT has_table_privilege('review_visits', 'SELECT')")).scalar():
        rows = conn.execute(text(sql("house_visits")), {"id": house_id, "as_of": f.day})
        visits = [dict(r) for r in rows.mappings()]
    return {**row, "hazards": [dict(r) for r in hazards.mappings()], "visits": visits}


def summary(conn: Connection, f: MapFilters) -> tuple[dict[str, Any], dict[str, Any]]:
    """Counts (houses, hazards found/open/overdue/major open/rectified) on the as-of day and
    one month earlier."""
    params = f.sql_params() | {"before": f.month_before().day}
    row = conn.execute(text(sql("summary")), params).mappings().one()
    now, before = (
        {"houses": row["houses"]} | {k[len(p) :]: v for k, v in row.items() if k.startswith(p)}
        for p in ("now_", "before_")
    )
    return now, before


def house_count(conn: Connection, f: MapFilters) -> int:
    """Houses with a point under the unit filter (decides clusters or vector tiles)."""
    return conn.execute(
        text(
            "SELECT count(*) FROM houses WHERE geom IS NOT NULL "
            "AND (CAST(:unit_id AS integer[]) IS NULL OR unit_id = ANY(:unit_id))"
        ),
        {"unit_id": list(f.unit_id) or None},
    ).scalar_one()


def basemap_tile(conn: Connection, z: int, x: int, y: int) -> bytes:
    """The offline basemap tile z/x/y (roads and unit areas) as MVT bytes."""
    if not (0 <= z <= 22 and 0 <= x < 2**z and 0 <= y < 2**z):
        raise NotFoundError(f"瓦片不存在 no tile {z}/{x}/{y}")
    return bytes(conn.execute(text(sql("basemap_tile")), {"z": z, "x": x, "y": y}).scalar_one())


def map_extent(conn: Connection, f: MapFilters) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of the units kept by the filter; None when there is none."""
    row = conn.execute(
        text(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) e "
            "FROM units WHERE CAST(:unit_id AS integer[]) IS NULL OR id = ANY(:unit_id)) s"
        ),
        {"unit_id": list(f.unit_id) or None},
    ).one()
    return None if row[0] is None else (row[0], row[1], row[2], row[3])


def unit_options(conn: Connection) -> list[dict[str, Any]]:
    """Units with a boundary, for the filter's unit list."""
    rows = conn.execute(
        text("SELECT id, name FROM units WHERE geom IS NOT NULL ORDER BY convert_to(name, 'GBK')")
    )
    return [dict(r) for r in rows.mappings()]


def has_table(conn: Connection, name: str) -> bool:
    """True when the table exists (e.g. the route plans of the patrol-route module)."""
    return conn.execute(text("SELECT to_regclass(:n) IS NOT NULL"), {"n": name}).scalar_one()


def is_synthetic(conn: Connection) -> bool:
    """True when the dataset is the synthetic demo town (the page then says so)."""
    value = conn.execute(
        text("SELECT value->>'synthetic' FROM meta WHERE key = 'dataset'")
    ).scalar_one_or_none()
    return value == "true"
