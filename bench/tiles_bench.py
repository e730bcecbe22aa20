"""Tiles, features and density at demo scale, beside the bare SQL (not a test; run by hand).

    .venv/bin/python bench/tiles_bench.py --scale 100 [--runs 5] [--points 5]

Uses the benchmark cluster and database of `python -m bench` (`.geo-data/bench`, the demo town
loaded once per scale and reused) and a real `geo-service serve` on a free loopback port.
For every tile (zooms 12–17 around sample houses) three contenders run one after the other:
the HTTP endpoint, the endpoint's own SQL statement sent directly (what the service adds is the
difference to the HTTP row), and the bare hand-written ST_AsMVT statement of `bench/sql` (the
floor). One warm-up pass is not counted. Prints p50/p95 and the ratios to the floor.
"""

import argparse
import re
import sys
import time
from pathlib import Path

import httpx
import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import auth, env, servers, workload
from bench.spatial import ITEMS_LIMIT, PLAIN, TILE_LIMIT, _sql
from bench.stats import Timing, ms, ratio
from geo_service.scope import make_scope
from geo_service.spatial import tiles
from geo_service.spatial.selection import select
from layers.registry import get_layer

AS_OF = env.AS_OF.isoformat()
ANALYTICS = (
    ("density hex, hazards (200 m)", "/analytics/density/hex", {}),
    ("density hex, hazards, zoom 12", "/analytics/density/hex", {"zoom": 12}),
    ("density hex, houses (200 m)", "/analytics/density/hex", {"layer": "houses"}),
    ("density per unit", "/analytics/density/units", {}),
    ("density heat (points)", "/analytics/density/heat", {"format": "points"}),
    ("incidents per unit", "/analytics/incidents/units", {}),
    # The whole town's pairs within 100 m grow with the square of the demo's density (~10^8 at
    # scale 100, refused after 20 s); one unit over the last 30 days is what a user asks.
    (
        "incidents near houses 100 m, 1 unit, 30 d",
        "/analytics/incidents/near-houses",
        {"unit_id": "1", "date_from": "2026-10-16"},
    ),
    ("incident hot spots (Gi*)", "/analytics/incidents/hotspots", {}),
)


def _get(client: httpx.Client, url: str, params: dict, headers: dict) -> bytes:
    r = client.get(url, params=params, headers={**PLAIN, **headers})
    if r.status_code not in (200, 204):
        raise RuntimeError(f"HTTP {r.status_code} {url}: {r.text[:200]}")
    return r.content


def _row(t: Timing, floor: Timing | None = None) -> str:
    ratios = ""
    if floor is not None and t is not floor:
        ratios = f"  ×floor p50 {ratio(t.p50, floor.p50)}, p95 {ratio(t.p95, floor.p95)}"
    err = f"  errors {len(t.errors)}: {t.errors[0]}" if t.errors else ""
    return (
        f"  {t.label:42} n={t.n:3}  p50 {ms(t.p50):>8} ms  p95 {ms(t.p95):>8} ms"
        f"  {t.mean_bytes:>11,.0f} B{ratios}{err}"
    )


def bench_tiles(db, server, layer: str, tile_list, runs: int) -> list[Timing]:
    """HTTP endpoint, its own SQL, and the bare SQL floor for each tile of `layer`."""
    http_t, ours_t, floor_t = Timing("HTTP /tiles"), Timing("service SQL"), Timing("bare SQL")
    query = {"as_of": AS_OF} if layer == "hazards" else {}
    sel = select(None, get_layer(layer), make_scope(**query))
    ours_sql = _pyformat(tiles.tile_sql(sel))
    floor_sql = _sql(f"floor_tile_{layer}.sql")
    with (
        httpx.Client(timeout=300) as client,
        psycopg2.connect(db.url) as conn,
        conn.cursor() as cur,
    ):

        def run_sql(sql: str, params: dict) -> bytes:
            cur.execute(sql, params)
            data = cur.fetchone()[0]
            return bytes(data) if data else b""

        for rep in range(runs + 1):
            for z, x, y in tile_list:
                params = {**sel.params, "z": z, "x": x, "y": y, "layer_": layer}
                params |= {"limit_": TILE_LIMIT, "limit": TILE_LIMIT, "as_of": env.AS_OF}
                calls = (
                    (http_t, lambda z=z, x=x, y=y: _get(
                        client, f"{server.url}/tiles/{layer}/{z}/{x}/{y}.pbf", query,
                        server.headers,
                    )),
                    (ours_t, lambda p=params: run_sql(ours_sql, p)),
                    (floor_t, lambda p=params: run_sql(floor_sql, p)),
                )  # fmt: skip
                for timing, fn in calls:
                    if rep == 0:
                        fn()
                    else:
                        timing.add(fn)
    return [http_t, ours_t, floor_t]


def _pyformat(sql: str) -> str:
    """SQLAlchemy `:name` placeholders → psycopg2 `%(name)s` (casts `::` kept)."""
    return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql.replace("%", "%%"))


def bench_items(server, layer: str, boxes, runs: int) -> Timing:
    t = Timing(f"{layer} features, bbox, {ITEMS_LIMIT:,}")
    extra = {"as_of": AS_OF} if layer == "hazards" else {}
    with httpx.Client(timeout=300) as client:
        for rep in range(runs + 1):
            for box in boxes:
                bbox = ",".join(f"{v:.6f}" for v in box)
                params = {"bbox": bbox, "limit": ITEMS_LIMIT, **extra}
                url = f"{server.url}/ogc/collections/{layer}/items"
                fn = lambda p=params, u=url: _get(client, u, p, server.headers)  # noqa: E731
                fn() if rep == 0 else t.add(fn)
    return t


def bench_analytics(server, runs: int) -> list[Timing]:
    out = []
    with httpx.Client(timeout=600) as client:
        for label, path, extra in ANALYTICS:
            t = Timing(label)
            params = {"as_of": AS_OF, **extra}
            fn = lambda p=params, u=server.url + path: _get(client, u, p, server.headers)  # noqa: E731
            for rep in range(runs + 1):
                fn() if rep == 0 else t.add(fn)
            out.append(t)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=100.0)
    ap.add_argument("--runs", type=int, default=5, help="counted passes (after one warm-up)")
    ap.add_argument("--points", type=int, default=5, help="sample houses → tiles and bboxes")
    ap.add_argument("--data-dir", type=Path, default=env.ROOT / ".geo-data" / "bench")
    ap.add_argument(
        "--parts", default="tiles,items,analytics", help="comma-separated subset to measure"
    )
    a = ap.parse_args()

    t0 = time.perf_counter()
    db = env.prepare(a.data_dir, a.scale, print)
    print(f"data: {env.counts(db)}; as_of {AS_OF}; load average {env.load_average()}")
    logs = a.data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    server = servers.start_ours(db.url, logs)
    try:
        server.headers = auth.headers_for(server.url, db.url, "police")
        points = workload.sample_points(db, a.points)
        tile_list = workload.tile_set(points)
        parts = set(a.parts.split(","))
        if "tiles" in parts:
            print(f"\n{len(tile_list)} tiles (z12–17 around {a.points} houses), {a.runs} passes")
            for layer in ("houses", "hazards"):
                timings = bench_tiles(db, server, layer, tile_list, a.runs)
                print(f"{layer} tiles:")
                for t in timings:
                    print(_row(t, timings[-1]))
        if "items" in parts:
            print("\nfeatures (OGC API items):")
            for layer in ("houses", "hazards"):
                print(_row(bench_items(server, layer, workload.bboxes(points), a.runs * 2)))
        if "analytics" in parts:
            print("\ndensity and incident analytics (whole town):")
            for t in bench_analytics(server, a.runs):
                print(_row(t))
    finally:
        server.stop()
    print(f"\ntook {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
