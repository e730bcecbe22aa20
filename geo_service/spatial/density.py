"""Hazard density: counts per hexagon, per unit (choropleth) and weighted heat points.

Every function takes the request's scope (geo_service.scope: as_of, category, severity,
unit_id, key_area_kind, status, date_from/date_to, bbox …) applied to a registered layer, and
answers GeoJSON text built by PostgreSQL in one statement.
"""

import math
from dataclasses import dataclass, replace

from sqlalchemy import Connection, text

from geo_service.errors import ValidationError
from geo_service.scope import Scope, ScopeSql, ledger, where
from geo_service.spatial.selection import Selection, select
from geo_service.sqlfiles import query, render
from layers.registry import get_layer

# Hexagons live in Web Mercator (EPSG:3857), the tiles' CRS: points reach it by arithmetic
# (below), and sizes given in ground metres are scaled by 1 / cos(latitude of the town) so a
# cell is `size_m` across on the ground at the town.
GRID_SRID = 3857
DEFAULT_SIZE_M = 200.0
MIN_SIZE_M, MAX_SIZE_M = 20.0, 50_000.0
HEX_PX = 24  # at a map zoom, a hexagon's circumradius spans this many screen pixels
# At a map zoom, heat points are summed per square cell this many screen pixels wide: far below
# the heat's radius (25 px) and blur, so the picture is the same, but the answer is bounded by
# the view's pixels instead of growing with the town's houses.
HEAT_CELL_PX = 4

# What each layer's hexagons count besides the total: name → (column, value).
HEX_LAYERS: dict[str, dict[str, tuple[str, str]]] = {
    "hazards": {
        "major": ("severity", "major"),
        "open": ("status", "open"),
        "overdue": ("status", "overdue"),
        "rectified": ("status", "rectified"),
    },
    "overdue": {"major": ("severity", "major")},
    "houses": {},
    "incidents": {},
}


@dataclass(frozen=True)
class HeatWeights:
    """Heat weight of one hazard: `major` or `general` by severity, × `overdue` when overdue."""

    major: float = 3.0
    general: float = 1.0
    overdue: float = 2.0


def town_latitude(conn: Connection) -> float:
    """Latitude of the town's centre (0 without data)."""
    sql = query("geo_service.spatial", "sql/town_latitude.sql")
    return float(conn.execute(text(sql)).scalar_one())


def mercator_size(size_m: float, lat: float) -> float:
    """A ground length at latitude `lat` in Web Mercator units (which grow as 1 / cos lat)."""
    return size_m / math.cos(math.radians(lat))


def cell_size(size_m: float | None, zoom: float | None, lat: float = 0.0) -> float:
    """Hexagon circumradius in metres: `size_m` when given, else sized for a web-map zoom
    (HEX_PX screen pixels at latitude `lat`), else DEFAULT_SIZE_M."""
    if size_m is not None:
        if not MIN_SIZE_M <= size_m <= MAX_SIZE_M:
            raise ValidationError(
                f"size_m: 应在 {MIN_SIZE_M:g}–{MAX_SIZE_M:g} 米之间 (must be within that range)"
            )
        return float(size_m)
    if zoom is None:
        return DEFAULT_SIZE_M
    if not 0 <= zoom <= 24:
        raise ValidationError("zoom: 应在 0–24 之间 (must be within 0–24)")
    metres_per_px = 156_543.03392 * math.cos(math.radians(lat)) / 2**zoom
    return min(max(HEX_PX * metres_per_px, MIN_SIZE_M), MAX_SIZE_M)


# lon/lat → Web Mercator (EPSG:3857, spherical) by arithmetic. The binning reads x and y many
# times; computing them as set-returning `unnest` outputs makes PostgreSQL evaluate them once per
# point (a subquery with SRFs is not inlined) while the scan, binning and grouping still run in
# parallel workers (an OFFSET 0 fence would keep everything above it in one process).
MERCATOR_X = "6378137.0::float8 * radians(ST_X(t.geom))"
MERCATOR_Y = "6378137.0::float8 * ln(tan(pi() / 4 + radians(ST_Y(t.geom)) / 2))"


def points_sql(sel: Selection, columns: list[str] = ()) -> str:
    """x, y (Web Mercator) and `columns` of the filtered layer's points."""
    extra = "".join(f", t.{c}" for c in columns)
    return (
        f"SELECT unnest(ARRAY[{MERCATOR_X}]) AS x, unnest(ARRAY[{MERCATOR_Y}]) AS y{extra} "
        f"FROM {sel.source()}"
    )


def hexagons(
    conn: Connection,
    scope: Scope,
    layer_name: str = "hazards",
    size_m: float | None = None,
    zoom: float | None = None,
) -> tuple[str, dict]:
    """Counts per hexagon of a point layer's filtered features.

    Returns the GeoJSON features (JSON array text) and the parameters used (size, srid, as_of).
    """
    if layer_name not in HEX_LAYERS:
        raise ValidationError(
            f"layer: 密度图层只支持 (density supports) {', '.join(HEX_LAYERS)}, not {layer_name!r}"
        )
    sel = select(conn, get_layer(layer_name), scope, ignore=_OWN_PARAMS)
    counts = HEX_LAYERS[layer_name]
    columns = sorted({col for col, _ in counts.values()})
    lat = town_latitude(conn)
    size = cell_size(size_m, zoom, lat)
    params = {**sel.params, "size": mercator_size(size, lat), "srid": GRID_SRID}
    aggregates, props = "", ""
    for name, (col, value) in counts.items():
        aggregates += f", count(*) FILTER (WHERE {col} = :agg_{name}) AS {name}"
        props += f", '{name}', c.{name}"
        params[f"agg_{name}"] = value
    sql = render(
        "geo_service.spatial",
        "sql/hex_density.sql",
        points=points_sql(sel, columns),
        aggregates=aggregates,
        props=props,
    )
    features = conn.execute(text(sql), params).scalar_one()
    meta = {"layer": layer_name, "size_m": round(size, 1), "srid": GRID_SRID}
    if sel.layer.as_of:
        meta["as_of"] = sel.as_of.isoformat()
    return features, meta


def units(conn: Connection, scope: Scope) -> tuple[str, dict]:
    """Per village/community: houses, hazards (by state, major) and rates per 100 houses.

    A hazard counts while its house exists on D, in the unit and key areas of its house on D
    (as the 附件1/附件2 counts, docs/ledger.md): summed from the event ledger when it answers
    the scope (`geo_service.scope.ledger.answers`), else counted directly.
    """
    # The hazards layer checks the parameters (an unknown one is an error) on either path.
    select(conn, get_layer("hazards"), scope, ignore=_OWN_PARAMS)
    layer_filters = [k for k, _ in scope.others if k not in _OWN_PARAMS]
    on_ledger = ledger.answers(conn, scope, layer_filters)
    features = (units_ledger if on_ledger else units_direct)(conn, scope)
    return features, {"as_of": scope.as_of.isoformat()}


def units_ledger(conn: Connection, scope: Scope) -> str:
    """`units`' features summed from the event ledger (unit_density_ledger.sql)."""
    b = ScopeSql(scope, conn)
    sql = render(
        "geo_service.spatial",
        "sql/unit_density_ledger.sql",
        unit_scope=where(b.units("u.id")),
        **ledger.marks(b, wide=True),
    )
    return conn.execute(text(sql), {**b.params, "as_of": scope.as_of}).scalar_one()


def units_direct(conn: Connection, scope: Scope) -> str:
    """`units`' features counted from the hazard and house states (unit_density.sql)."""
    # The unit and key areas are the house's on D: filtered on the houses joined.
    place = replace(scope, units=(), key_area_kinds=())
    hazards = select(conn, get_layer("hazards"), place, ignore=_OWN_PARAMS)
    houses = select(conn, get_layer("houses"), scope, strict=False, prefix="h_")
    unit_filter = ""
    if "h_sc_unit_ids" in houses.params:
        unit_filter = "AND u.id = ANY(:h_sc_unit_ids)"
    sql = render(
        "geo_service.spatial",
        "sql/unit_density.sql",
        hazards=hazards.source(located_only=False),
        houses=houses.source(located_only=False),
        unit_filter=unit_filter,
    )
    return conn.execute(text(sql), {**hazards.params, **houses.params}).scalar_one()


_HEAT_GEOJSON = """coalesce(json_agg(json_build_object(
    'type', 'Feature', 'id', s.house_id,
    'geometry', ST_AsGeoJSON(s.geom, 6)::json,
    'properties', json_build_object('house_id', s.house_id, 'weight', s.weight,
                                    'hazards', s.hazards)
) ORDER BY s.weight DESC, s.house_id), '[]'::json)::text"""
_HEAT_GRID_GEOJSON = """coalesce(json_agg(json_build_object(
    'type', 'Feature',
    'geometry', ST_AsGeoJSON(s.geom, 6)::json,
    'properties', json_build_object('weight', s.weight, 'hazards', s.hazards, 'houses', s.houses)
) ORDER BY s.weight DESC, s.house_id), '[]'::json)::text"""
_HEAT_POINTS = """coalesce(json_agg(json_build_array(
    round(ST_Y(s.geom)::numeric, 6), round(ST_X(s.geom)::numeric, 6), s.weight
) ORDER BY s.weight DESC, s.house_id), '[]'::json)::text"""


def heat(
    conn: Connection,
    scope: Scope,
    weights: HeatWeights = HeatWeights(),
    as_points: bool = False,
    zoom: int | None = None,
) -> tuple[str, dict]:
    """Weighted heat points, one per house with hazards (by default the unrectified ones), or
    with `zoom` one per cell of HEAT_CELL_PX pixels at that map zoom (heat_grid.sql).

    `as_points` answers `[[lat, lon, weight], …]` (what folium's HeatMap takes) instead of
    GeoJSON features.
    """
    if not scope.statuses:
        scope = replace(scope, statuses=("open", "overdue"))
    sel = select(conn, get_layer("hazards"), scope, ignore=_OWN_PARAMS)
    params = {
        **sel.params,
        "w_major": weights.major,
        "w_general": weights.general,
        "w_overdue": weights.overdue,
    }
    meta = {
        "as_of": sel.as_of.isoformat(),
        "weights": weights.__dict__,
        "status": ",".join(scope.statuses),
    }
    name = "sql/heat.sql"
    if zoom is not None:
        if not 0 <= zoom <= 24:
            raise ValidationError("zoom: 应在 0–24 之间 (must be within 0–24)")
        name = "sql/heat_grid.sql"
        params["cell"] = heat_cell(zoom)
        meta |= {"zoom": zoom, "cell_px": HEAT_CELL_PX}
    output = (
        _HEAT_POINTS if as_points else _HEAT_GRID_GEOJSON if zoom is not None else _HEAT_GEOJSON
    )
    sql = render("geo_service.spatial", name, source=sel.source(), output=output)
    return conn.execute(text(sql), params).scalar_one(), meta


def heat_cell(zoom: int) -> float:
    """The heat grid's cell at a map zoom, in Web Mercator units: HEAT_CELL_PX pixels of a
    256-pixel tile pyramid (2π·6378137 / 256 / 2^zoom units per pixel)."""
    return HEAT_CELL_PX * 2 * math.pi * 6378137.0 / 256 / 2**zoom


# Parameters of the density endpoints themselves (not layer filters).
_OWN_PARAMS = ("size_m", "zoom", "layer", "format", "w_major", "w_general", "w_overdue")
