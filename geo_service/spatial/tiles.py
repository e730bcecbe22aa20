"""Mapbox Vector Tiles of a filtered layer: one SQL statement per tile, ST_AsMVT in PostGIS.

The tile's envelope (ST_TileEnvelope, Web Mercator) is transformed to lon/lat once — its
arguments are constants, so the planner folds it — and the `geom && envelope` test runs on the
base table's GiST index; only the features in the tile are transformed and encoded.
"""

import math

from sqlalchemy import Connection, text

from geo_service.errors import NotFoundError
from geo_service.spatial.selection import Selection, quote_ident

MAX_ZOOM = 24
EXTENT = 4096  # tile coordinate space (the MVT default)
BUFFER = 64  # pixels kept around the tile so strokes and circles are not cut at its edge
DEFAULT_LIMIT = 50_000  # features per tile; low zooms of a city belong to the density layers
MAX_LIMIT = 200_000


def check_tile(z: int, x: int, y: int) -> None:
    """NotFoundError (404) for a tile outside the Web Mercator pyramid."""
    if not (0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z):
        raise NotFoundError(f"瓦片不存在 (no such tile) {z}/{x}/{y}")


def lonlat_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """Tile z/x/y's box in lon/lat (ST_Transform of ST_TileEnvelope)."""
    check_tile(z, x, y)
    n = 2.0**z

    def lat(row: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return (x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y))


def tile_sql(sel: Selection) -> str:
    """The statement for one tile of `sel` (bound parameters :z :x :y :limit_)."""
    cols = []
    for p in sel.layer.properties:
        if not p.in_tiles:
            continue
        col = f"t.{quote_ident(p.name)}"
        # MVT values are strings, numbers or booleans: dates travel as ISO text.
        cols.append(f"{col}::text AS {quote_ident(p.name)}" if "date" in p.type else col)
    geom = f"t.{quote_ident(sel.layer.geometry)}"
    envelope = "ST_TileEnvelope(:z, :x, :y)"
    return f"""
        SELECT ST_AsMVT(q, :layer_, {EXTENT}, 'geom', 'fid') FROM (
            SELECT t.fid, {", ".join(cols)},
                   ST_AsMVTGeom(ST_Transform({geom}, 3857), {envelope}, {EXTENT}, {BUFFER}, true)
                       AS geom
            FROM {sel.source([f"{geom} && ST_Transform({envelope}, 4326)"])}
            LIMIT :limit_
        ) q
    """


def tile(
    conn: Connection, sel: Selection, z: int, x: int, y: int, limit: int = DEFAULT_LIMIT
) -> bytes:
    """The encoded tile z/x/y of `sel` (empty bytes when no feature falls in it)."""
    check_tile(z, x, y)
    params = {
        **sel.params,
        "z": z,
        "x": x,
        "y": y,
        "layer_": sel.layer.name,
        "limit_": max(1, min(int(limit), MAX_LIMIT)),
    }
    data = conn.execute(text(tile_sql(sel)), params).scalar_one()
    return bytes(data) if data else b""
