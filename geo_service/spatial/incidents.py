"""Incident overlay (警情): incidents near each rental house, per unit, and Gi* hot spots.

Filters split by layer: the incident filters (as_of, category, date_from/date_to, datetime)
narrow the incidents; unit_id, key_area_kind and bbox narrow the houses (near-houses) or the
units (per unit, hot spots).
"""

import json
import math
from dataclasses import replace
from typing import Any

import numpy as np
from psycopg2.errors import QueryCanceled
from sqlalchemy import Connection, CursorResult, TextClause, text
from sqlalchemy.exc import OperationalError

from geo_service.errors import ValidationError
from geo_service.scope import Scope, ScopeSql
from geo_service.spatial import hotspot_access, hotspots
from geo_service.spatial.density import GRID_SRID, town_latitude
from geo_service.spatial.selection import select
from geo_service.sqlfiles import render
from layers.registry import get_layer

MIN_RADIUS_M, MAX_RADIUS_M = 1.0, 2_000.0  # below a metre the grid of near_houses.sql overflows
NEAR_TIMEOUT_S = 20  # near-houses statement limit (seconds)
MIN_INCIDENTS = 30  # below this, Gi*'s normal approximation on sparse counts is unreliable
_INCIDENT_KEYS = ("as_of", "category", "date_from", "date_to", "datetime")
_HOUSE_KEYS = ("as_of", "unit_id", "unit", "key_area_kind", "bbox")


def degree_lengths(lat: float) -> tuple[float, float]:
    """Metres per degree of longitude and of latitude on the WGS84 ellipsoid at `lat`."""
    r = math.radians(lat)
    m_lon = 111_412.84 * math.cos(r) - 93.5 * math.cos(3 * r) + 0.118 * math.cos(5 * r)
    m_lat = 111_132.954 - 559.822 * math.cos(2 * r) + 1.175 * math.cos(4 * r)
    return m_lon, m_lat


def _split(
    scope: Scope, own: tuple[str, ...], to_incidents: tuple[str, ...] = ()
) -> tuple[Scope, Scope]:
    """The incident filters and the house/unit filters of `scope`; `to_incidents` names house
    keys that also narrow the incidents (key_area_kind for per-unit counts and hot spots)."""
    allowed = set(_INCIDENT_KEYS) | set(_HOUSE_KEYS) | set(own)
    unknown = sorted(k for k in scope.given if k not in allowed and k != "f")
    if unknown:
        raise ValidationError(
            f"不支持参数 (unsupported parameter) {', '.join(unknown)}; "
            f"可用 accepted: {', '.join(sorted(allowed))}"
        )
    incident_keys = set(_INCIDENT_KEYS) | set(to_incidents)
    incidents = replace(
        scope,
        units=(),
        key_area_kinds=scope.key_area_kinds if "key_area_kind" in to_incidents else (),
        bbox=None,
        given=frozenset(k for k in scope.given if k in incident_keys),
        others=(),
    )
    houses = replace(
        scope,
        categories=(),
        incident_types=(),
        date_from=None,
        date_to=None,
        given=frozenset(k for k in scope.given if k in _HOUSE_KEYS),
        others=(),
    )
    return incidents, houses


def near_houses(
    conn: Connection, scope: Scope, radius_m: float = 100.0, limit: int = 1000
) -> tuple[str, dict]:
    """Houses with incidents within `radius_m`, most incidents first (GeoJSON features text)."""
    if not MIN_RADIUS_M <= radius_m <= MAX_RADIUS_M:
        raise ValidationError(
            f"radius_m: 应在 {MIN_RADIUS_M:g}–{MAX_RADIUS_M:g} 米之间 (must be in that range)"
        )
    iq, hq = _split(scope, ("radius_m", "limit"))
    inc = select(conn, get_layer("incidents"), iq, prefix="i_")
    houses = select(conn, get_layer("houses"), hq, prefix="h_")
    sql = render(
        "geo_service.spatial", "sql/near_houses.sql", houses=houses.source(), incidents=inc.source()
    )
    lat = town_latitude(conn)
    params = {
        **inc.params,
        **houses.params,
        "radius": float(radius_m),
        "m_lon": max(1.0, degree_lengths(lat)[0]),
        "m_lat": degree_lengths(lat)[1],
        # 5 % wider than the radius: the plane's scale drifts with latitude across a city.
        "cell": 1.05 * float(radius_m),
        "limit_": int(limit),
    }
    features, matched = _bounded(conn, text(sql), params).one()
    meta = {"as_of": inc.as_of.isoformat(), "radius_m": radius_m, "numberMatched": matched}
    return features, meta


def _bounded(conn: Connection, stmt: TextClause, params: dict) -> CursorResult:
    """Run `stmt` under NEAR_TIMEOUT_S: its cost is the number of (house, incident) pairs within
    the radius, which the filters bound — a query that would hold a worker for minutes is
    refused with what to narrow instead."""
    old = conn.execute(text("SELECT current_setting('statement_timeout')")).scalar_one()
    conn.execute(
        text("SELECT set_config('statement_timeout', :t, true)"), {"t": f"{NEAR_TIMEOUT_S}s"}
    )
    try:
        result = conn.execute(stmt, params)
    except OperationalError as e:
        if isinstance(e.orig, QueryCanceled):
            raise ValidationError(
                f"周边警情查询超过 {NEAR_TIMEOUT_S} 秒：请用 unit_id、date_from/date_to、category "
                "或更小的 radius_m 缩小范围 (too many house–incident pairs: narrow the query)"
            ) from None
        raise
    conn.execute(text("SELECT set_config('statement_timeout', :t, true)"), {"t": old})
    return result


def _unit_filter(conn: Connection, houses: Scope) -> tuple[str, dict[str, Any]]:
    """`AND u.id = ANY(:u_sc_unit_ids)` from the unit filter (absent or empty: every unit)."""
    b = ScopeSql(houses, conn, prefix="u_")
    return "".join(f"AND {c}" for c in b.units("u.id")), b.params


def units(conn: Connection, scope: Scope) -> tuple[str, dict]:
    """Per village/community: incidents (by category) and incidents per 100 houses."""
    iq, hq = _split(scope, (), to_incidents=("key_area_kind",))
    inc = select(conn, get_layer("incidents"), iq, prefix="i_")
    houses = select(conn, get_layer("houses"), hq, prefix="h_")
    unit_filter, unit_params = _unit_filter(conn, hq)
    sql = render(
        "geo_service.spatial",
        "sql/incident_units.sql",
        recorded=inc.source(["t.unit_id IS NOT NULL"], located_only=False),
        unrecorded=inc.source(["t.unit_id IS NULL"]),
        houses=houses.source(located_only=False),
        unit_filter=unit_filter,
    )
    features = conn.execute(text(sql), {**inc.params, **houses.params, **unit_params})
    return features.scalar_one(), {"as_of": inc.as_of.isoformat()}


def hot_spots(
    conn: Connection,
    scope: Scope,
    size_m: float | None = None,
    permutations: int = 0,
    correction: hotspots.Correction = "fdr",
    significant_only: bool = False,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Gi* hot/cold spots of the filtered incidents on a hexagon grid over the study area.

    Returns the cells as GeoJSON features (dicts) and a summary (counts per class, parameters).
    """
    own = ("size_m", "permutations", "correction", "significant_only")
    iq, hq = _split(scope, own, to_incidents=("key_area_kind",))
    if hq.bbox is not None:
        raise ValidationError("bbox: 热点在整个研究区域上计算 (hot spots cover the study area)")
    inc = select(conn, get_layer("incidents"), iq, prefix="i_")
    unit_filter, unit_params = _unit_filter(conn, hq)
    cells = hotspot_access.grid(conn, size_m)
    srid, size, grid_size = GRID_SRID, cells.size_m, cells.mercator_size
    counts, incident_area, count_params, said = hotspot_access.count_fragments(conn, inc, cells)
    sql = render(
        "geo_service.spatial",
        "sql/hotspot_cells.sql",
        counts=counts,
        incident_area=incident_area,
        unit_filter=unit_filter,
    )
    params = {**inc.params, **unit_params, **count_params, "size": grid_size, "srid": srid}
    rows = conn.execute(text(sql), params).all()
    if not rows:
        raise ValidationError(
            "没有研究区域：无村（社区）边界也无警情 "
            "(no study area: no unit boundary and no incident)"
        )
    i = np.array([r.i for r in rows])
    j = np.array([r.j for r in rows])
    counts = np.array([r.n for r in rows], dtype=float)
    gi = hotspots.gi_star(counts, i, j, grid_size, permutations=permutations, correction=correction)
    features = []
    for k, r in enumerate(rows):
        if significant_only and gi.confidence[k] == 0:
            continue
        features.append(
            {
                "type": "Feature",
                "id": f"{r.i},{r.j}",
                "geometry": json.loads(r.geometry),
                "properties": {
                    "i": r.i,
                    "j": r.j,
                    "count": r.n,
                    "gi_z": round(float(gi.z[k]), 3),
                    "p_value": float(f"{gi.p[k]:.3g}"),
                    "confidence": int(gi.confidence[k]),
                    "class": gi.kind[k],
                    "label_zh": hotspots.label_zh(gi.kind[k], int(gi.confidence[k])),
                },
            }
        )
    summary = {
        "as_of": inc.as_of.isoformat(),
        **said,
        "size_m": size,
        "srid": srid,
        "grid_cells": len(rows),
        "incidents": int(counts.sum()),
        "method": "Getis-Ord Gi* (esda.G_Local, star=True), binary weights: the 6 touching "
        "hexagons; two-sided p "
        + ("from permutations" if permutations else "from the normal approximation")
        + ("; Benjamini–Hochberg FDR across cells" if correction == "fdr" else ""),
        "classes": {
            f"{kind}_{level}": int(np.sum((gi.confidence == level) & (np.array(gi.kind) == kind)))
            for kind in ("hot", "cold")
            for level, _ in hotspots.LEVELS
        },
    }
    if counts.sum() < MIN_INCIDENTS:
        summary["warning"] = (
            f"警情少于 {MIN_INCIDENTS} 起，热点仅供参考 (fewer than {MIN_INCIDENTS} incidents: "
            "Gi* on such sparse counts is indicative only)"
        )
    return features, summary
