"""Tiles and feature queries, side by side: this service, tipg, and the bare SQL (the floor).

For each tile (or bbox) the contenders are called one after the other, so they meet the
same database cache state; one warm-up pass is not counted. This service's tiles and feature
pages are measured computed (bypassing its response cache) and cached.
Clients ask for uncompressed bodies (`Accept-Encoding: identity`): tipg would otherwise spend
time compressing, which measures the compressor, not the query path.
"""

from dataclasses import dataclass, field

import httpx
import psycopg2

from bench.env import AS_OF, BenchDB
from bench.servers import Server
from bench.stats import Timing
from bench.workload import SCHEMA, all_properties, tile_properties
from geo_service.sqlfiles import script

TILE_LIMIT = 50_000  # features per tile, the service's default; tipg is configured alike
ITEMS_LIMIT = 1_000
PLAIN = {"Accept-Encoding": "identity"}
# The service's tiles twice: computed afresh (the request says `Cache-Control: no-cache`), and
# as served again while the data are unchanged (from its response cache, docs/cache.md).
COMPUTED, CACHED = "geo-service (computed)", "geo-service (cached)"
NO_CACHE = {"Cache-Control": "no-cache"}


def _sql(name: str) -> str:
    return script("bench", f"sql/{name}")


@dataclass
class Comparison:
    """One workload (e.g. houses tiles) measured for each contender, also per zoom."""

    title: str
    contenders: dict[str, Timing] = field(default_factory=dict)
    by_zoom: dict[int, dict[str, Timing]] = field(default_factory=dict)

    def timing(self, who: str, zoom: int | None = None) -> Timing:
        self.contenders.setdefault(who, Timing(who))
        if zoom is None:
            return self.contenders[who]
        return self.by_zoom.setdefault(zoom, {}).setdefault(who, Timing(who))


def _get(client: httpx.Client, url: str, params: dict, headers: dict) -> bytes:
    r = client.get(url, params=params, headers={**PLAIN, **headers})
    if r.status_code not in (200, 204):
        raise RuntimeError(f"HTTP {r.status_code} {url}: {r.text[:200]}")
    return r.content


def _timed(cmp: Comparison, who: str, zoom: int | None, fn, counted: bool) -> None:
    if not counted:
        try:
            fn()
        except Exception as e:  # reported with the results, the suite goes on
            cmp.timing(who).errors.append(f"warm-up: {type(e).__name__}: {str(e)[:200]}")
        return
    t = Timing(who)
    t.add(fn)
    for target in (cmp.timing(who), *(() if zoom is None else (cmp.timing(who, zoom),))):
        target.seconds += t.seconds
        target.nbytes += t.nbytes
        target.errors += t.errors


def compare_tiles(
    db: BenchDB,
    ours: Server,
    tipg: Server,
    layer: str,
    tiles: list[tuple[int, int, int]],
    runs: int,
) -> Comparison:
    """Tiles of `layer` from the three contenders, `runs` counted passes after one warm-up."""
    cmp = Comparison(f"{layer} tiles")
    floor_sql = _sql(f"floor_tile_{layer}.sql")
    ours_q = {"as_of": AS_OF.isoformat()} if layer == "hazards" else {}
    tipg_q = {"limit": TILE_LIMIT, "properties": ",".join(tile_properties(layer))}
    with (
        httpx.Client(timeout=300) as client,
        psycopg2.connect(db.url) as conn,
        conn.cursor() as cur,
    ):

        def floor(z: int, x: int, y: int) -> bytes:
            cur.execute(floor_sql, {"z": z, "x": x, "y": y, "limit": TILE_LIMIT, "as_of": AS_OF})
            data = cur.fetchone()[0]
            return bytes(data) if data else b""

        for rep in range(runs + 1):
            for z, x, y in tiles:
                url = f"{ours.url}/tiles/{layer}/{z}/{x}/{y}.pbf"
                calls = {
                    COMPUTED: lambda url=url: _get(client, url, ours_q, ours.headers | NO_CACHE),
                    CACHED: lambda url=url: _get(client, url, ours_q, ours.headers),
                    "tipg": lambda z=z, x=x, y=y: _get(
                        client,
                        f"{tipg.url}/collections/{SCHEMA}.{layer}/tiles/WebMercatorQuad/{z}/{x}/{y}",
                        tipg_q,
                        {},
                    ),
                    "bare SQL": lambda z=z, x=x, y=y: floor(z, x, y),
                }
                for who, fn in calls.items():
                    _timed(cmp, who, z, fn, counted=rep > 0)
    return cmp


def compare_items(
    db: BenchDB,
    ours: Server,
    tipg: Server,
    layer: str,
    boxes: list[tuple[float, ...]],
    runs: int,
) -> Comparison:
    """1,000 features in each bbox (GeoJSON with numberMatched) from the three contenders."""
    cmp = Comparison(f"{layer} features, bbox, {ITEMS_LIMIT:,}")
    floor_sql = _sql(f"floor_items_{layer}.sql") if layer == "houses" else None
    extra = {"as_of": AS_OF.isoformat()} if layer == "hazards" else {}
    props = ",".join(all_properties(layer))
    geo = {"Accept": "application/geo+json"}
    with (
        httpx.Client(timeout=300) as client,
        psycopg2.connect(db.url) as conn,
        conn.cursor() as cur,
    ):

        def floor(box: tuple[float, ...]) -> bytes:
            x0, y0, x1, y1 = box
            cur.execute(floor_sql, {"x0": x0, "y0": y0, "x1": x1, "y1": y1, "limit": ITEMS_LIMIT})
            return cur.fetchone()[0].encode()

        for rep in range(runs + 1):
            for box in boxes:
                bbox = ",".join(f"{v:.6f}" for v in box)
                url = f"{ours.url}/ogc/collections/{layer}/items"
                q = {"bbox": bbox, "limit": ITEMS_LIMIT, **extra}
                calls = {
                    COMPUTED: lambda url=url, q=q: _get(
                        client, url, q, geo | ours.headers | NO_CACHE
                    ),
                    CACHED: lambda url=url, q=q: _get(client, url, q, geo | ours.headers),
                    "tipg": lambda bbox=bbox: _get(
                        client,
                        f"{tipg.url}/collections/{SCHEMA}.{layer}/items",
                        {"bbox": bbox, "limit": ITEMS_LIMIT, "properties": props},
                        geo,
                    ),
                }
                if floor_sql:
                    calls["bare SQL"] = lambda box=box: floor(box)
                for who, fn in calls.items():
                    _timed(cmp, who, None, fn, counted=rep > 0)
    return cmp
