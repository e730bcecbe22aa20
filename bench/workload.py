"""The fixed workload: sample points spread over the data, tiles z12–17 over them, bboxes.

Points are houses picked at evenly spaced ranks of their id (deterministic for a seed and
scale), so the tiles cover dense and sparse parts of the town alike.
"""

import math

from bench.env import BenchDB
from layers.registry import LAYERS

ZOOMS = (12, 13, 14, 15, 16, 17)
SCHEMA = "bench_tipg"
TIPG_LAYERS = ("houses", "hazards")


def sample_points(db: BenchDB, n: int) -> list[tuple[float, float]]:
    """`n` house points at evenly spaced ranks of the houses' ids."""
    with db.connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM houses WHERE geom IS NOT NULL")
        total = cur.fetchone()[0]
        points = []
        for k in range(n):
            cur.execute(
                "SELECT ST_X(geom), ST_Y(geom) FROM houses WHERE geom IS NOT NULL "
                "ORDER BY id OFFSET %s LIMIT 1",
                (total * (2 * k + 1) // (2 * n),),
            )
            x, y = cur.fetchone()
            points.append((float(x), float(y)))
        return points


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    """The XYZ (Web Mercator) tile holding lon/lat at zoom z."""
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    lat_r = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(lat_r)) / math.pi) / 2.0 * n)
    return z, min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def tile_set(points: list[tuple[float, float]]) -> list[tuple[int, int, int]]:
    """The distinct tiles at zooms 12–17 holding the points, in zoom order."""
    tiles: list[tuple[int, int, int]] = []
    for z in ZOOMS:
        for lon, lat in points:
            t = tile_of(lon, lat, z)
            if t not in tiles:
                tiles.append(t)
    return tiles


def bboxes(points: list[tuple[float, float]], half: float = 0.005) -> list[tuple[float, ...]]:
    """A ≈1 km box around each point (0.01° × 0.01°)."""
    return [(x - half, y - half, x + half, y + half) for x, y in points]


def create_tipg_views(db: BenchDB, as_of: str) -> dict[str, str]:
    """Views of the service's own layer SELECTs for tipg to serve; view → primary key column."""
    with db.connect() as conn, conn.cursor() as cur:
        cur.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}")
        for name in TIPG_LAYERS:
            layer = LAYERS[name]
            # The as-of date is a constant of the benchmark, written into the view.
            body = layer.sql().replace(":as_of", f"'{as_of}'")
            cur.execute(f"CREATE VIEW {SCHEMA}.{name} AS {body}")
    return {name: "fid" for name in TIPG_LAYERS}


def tile_properties(name: str) -> list[str]:
    return [p.name for p in LAYERS[name].properties if p.in_tiles]


def all_properties(name: str) -> list[str]:
    return list(LAYERS[name].columns)
