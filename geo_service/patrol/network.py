"""The road network in PostGIS/pgRouting: topology, snapping, travel-time matrix, paths.

Every step is one SQL statement over the whole set (no Python loop over geometries); the
statements live in `sql/`.
"""

import json
from dataclasses import dataclass

from sqlalchemy import Connection, text

from geo_service.errors import SetupError, ValidationError
from geo_service.patrol.config import RouteParams
from geo_service.sqlfiles import statement

TOPOLOGY_KEY = "road_topology"


def _sql(name: str):
    return statement("geo_service.patrol", f"sql/{name}")


def require_pgrouting(conn: Connection) -> str:
    """pgRouting's version, or a one-line SetupError saying how to get it."""
    version = conn.execute(
        text("SELECT extversion FROM pg_extension WHERE extname = 'pgrouting'")
    ).scalar_one_or_none()
    if version is None:
        raise SetupError(
            "数据库未启用 pgRouting，无法规划路线 (pgRouting is not installed in this database): "
            "install the pgrouting package for this PostgreSQL, then run "
            "`CREATE EXTENSION pgrouting;` or `geo-service db upgrade`"
        )
    return version


@dataclass(frozen=True)
class Topology:
    edges: int
    oneway: int
    rebuilt: bool
    fingerprint: str


def _wanted_fingerprint(state_fingerprint: str, params: RouteParams) -> str:
    # The speeds and tolerance in use are part of what the costs were built from.
    return json.dumps(
        [state_fingerprint, sorted(params.speeds_kmh.items()), params.vertex_tolerance_deg]
    )


def ensure_topology(conn: Connection, params: RouteParams, force: bool = False) -> Topology:
    """Build source/target and travel costs on `roads` when the roads or speeds changed.

    Serialised by an advisory lock, so two plans at once do not both rebuild.
    """
    require_pgrouting(conn)
    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('geo_service.road_topology'))"))
    state = conn.execute(_sql("topology_state.sql")).mappings().one()
    if state["edges"] == 0:
        raise ValidationError("道路图层为空，无法规划路线 (the roads layer is empty)")
    wanted = _wanted_fingerprint(state["fingerprint"], params)
    built = conn.execute(
        text("SELECT value ->> 'fingerprint' FROM meta WHERE key = :k"), {"k": TOPOLOGY_KEY}
    ).scalar_one_or_none()
    if not force and state["unbuilt"] == 0 and built == wanted:
        return Topology(state["edges"], state["oneway"], False, wanted)
    speeds = {k: v for k, v in params.speeds_kmh.items() if k != "default"}
    conn.execute(
        _sql("topology_build.sql"),
        {
            "tolerance": params.vertex_tolerance_deg,
            "speeds": json.dumps(speeds),
            "default_speed": params.speeds_kmh.get("default", 20.0),
        },
    )
    conn.execute(
        text(
            "INSERT INTO meta (key, value) VALUES (:k, CAST(:v AS jsonb)) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
        ),
        {"k": TOPOLOGY_KEY, "v": json.dumps({"fingerprint": wanted})},
    )
    return Topology(state["edges"], state["oneway"], True, wanted)


def components(conn: Connection) -> tuple[int, int]:
    """(connected pieces, vertices) of the network, ignoring direction."""
    row = conn.execute(_sql("topology_components.sql")).one()
    return int(row.components), int(row.vertices)


@dataclass(frozen=True)
class Snap:
    vertex: int
    edge: int
    distance_m: float


def snap_points(conn: Connection, points: dict[str, tuple[float, float]]) -> dict[str, Snap]:
    """Each point (key → lon, lat) on the nearest road's nearer end vertex."""
    if not points:
        return {}
    keys = list(points)
    rows = conn.execute(
        _sql("snap.sql"),
        {
            "keys": keys,
            "lons": [points[k][0] for k in keys],
            "lats": [points[k][1] for k in keys],
        },
    )
    return {r.key: Snap(int(r.vertex_id), int(r.edge_id), float(r.dist_m)) for r in rows}


def cost_matrix(conn: Connection, vertices: list[int]) -> dict[tuple[int, int], float]:
    """Travel seconds between every ordered pair of distinct `vertices` (one query).

    A pair with no path (a disconnected piece, or one-way streets leading nowhere) is absent.
    """
    distinct = sorted(set(vertices))
    if len(distinct) < 2:
        return {}
    rows = conn.execute(_sql("matrix.sql"), {"vids": distinct})
    return {(int(r.start_vid), int(r.end_vid)): float(r.agg_cost) for r in rows}


@dataclass(frozen=True)
class Leg:
    team: int
    seq: int
    from_vertex: int
    to_vertex: int


def route_geometries(conn: Connection, legs: list[Leg]) -> dict[int, tuple[dict, float]]:
    """Per team: the road-following GeoJSON LineString of its legs and its length in metres."""
    if not any(leg.from_vertex != leg.to_vertex for leg in legs):
        return {}
    rows = conn.execute(
        _sql("paths.sql"),
        {
            "teams": [leg.team for leg in legs],
            "seqs": [leg.seq for leg in legs],
            "froms": [leg.from_vertex for leg in legs],
            "tos": [leg.to_vertex for leg in legs],
        },
    )
    return {int(r.team): (json.loads(r.geojson), float(r.distance_m)) for r in rows}
