"""The map's data, read through what geo_service serves: the registered layers (layers/) under
the request's scope, and the analytics. Each overlay is one statement (PostGIS builds the
GeoJSON); Python only passes it on.

Only the page's own questions are SQL here: the offline base map's tiles, the latest patrol
plan, the units' extent and list, and whether the data set is synthetic (`web_map/sql/`).
"""

import json
from dataclasses import replace
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import Connection, text

from geo_service.errors import NotFoundError
from geo_service.geojson import feature_collection
from geo_service.scope import Scope, ScopeSql, where
from geo_service.spatial import items
from geo_service.spatial.house_counts import houses_with_hazard_counts
from geo_service.spatial.selection import Selection, select
from geo_service.sqlfiles import query
from layers.registry import get_layer

GEOJSON_LAYERS = ("units", "key_areas", "houses", "hazards", "incidents", "routes")
# Overlay → the properties its features carry (output name → layer column): only what the
# page's scripts read (the details come with the popup).
PROPERTIES: dict[str, dict[str, str]] = {
    "units": {"name": "name", "kind": "kind", "label_lon": "label_lon", "label_lat": "label_lat"},
    "key_areas": {"kind": "kind", "name": "name"},
    "houses": {"open": "open_hazards", "overdue": "overdue_hazards"},
    "hazards": {
        "code": "hazard_code",
        "house_id": "house_id",
        "category": "category",
        "severity": "severity",
        "status": "status",
        "found_on": "found_on",
        "due_on": "due_on",
        "days_overdue": "days_overdue",
    },
    "incidents": {
        "code": "incident_code",
        "category": "category",
        "occurred_at": "occurred_time",
        "address": "address",
    },
}
INCIDENT_MONTHS = 12  # the incident overlay shows the year up to the as-of day
_ALL = 1_000_000  # an overlay is drawn whole (its size is bounded by the house threshold)


def selection(conn: Connection, layer: str, scope: Scope) -> Selection:
    """The overlay's rows under the page's scope; the page sends one query to every overlay,
    so a filter an overlay does not take is left out for it."""
    if layer == "houses":
        return houses_with_hazard_counts(conn, scope)
    if layer == "incidents" and scope.date_from is None:
        since = scope.as_of - relativedelta(months=INCIDENT_MONTHS)
        scope = replace(scope, date_from=since)
    return select(conn, get_layer(layer), scope, strict=False)


def geojson(conn: Connection, layer: str, scope: Scope) -> str:
    """The FeatureCollection (text) of one of `GEOJSON_LAYERS` under the scope."""
    if layer not in GEOJSON_LAYERS:
        raise NotFoundError(f"未知图层 unknown map layer: {layer!r}")
    if layer == "routes":
        fc = conn.execute(text(query("web_map", "sql/routes.sql")), {"as_of": scope.as_of})
        return json.dumps(fc.scalar_one(), ensure_ascii=False)
    sel = selection(conn, layer, scope)
    return feature_collection(items.page(conn, sel, _ALL, properties=PROPERTIES[layer]))


_HOUSE = (
    "house_code", "address", "unit_name", "has_second_landlord", "second_landlord_registered",
    "rooms", "beds", "tenants", "registered_tenants", "is_registered", "pledge_signed",
    "cctv_installed", "cctv_retention_days", "is_self_built", "last_inspected_on",
    "has_smoke_masks", "has_torches", "has_extinguishers",
)  # fmt: skip
_HOUSE_HAZARD = (
    "hazard_code", "category", "category_zh", "severity", "found_on", "due_on", "status",
    "days_overdue", "posted_on_wall", "entered_in_system", "department", "transferred_on",
    "rectified_on", "verified_on",
)  # fmt: skip


def house(conn: Connection, house_id: int, scope: Scope) -> dict[str, Any]:
    """One house for its popup: its record (no personal data), the kinds of the key areas it
    lies in, its hazards found on or before the as-of day in their state that day, and its
    review visits up to that day."""
    day = Scope(as_of=scope.as_of, tz=scope.tz)
    houses = select(conn, get_layer("houses"), day)
    body = items.one(conn, houses, house_id, {c: c for c in _HOUSE}, located_only=False)
    if body is None:
        raise NotFoundError(f"房屋不存在 no house with id {house_id}")
    feature = json.loads(body)
    out = {"id": house_id, **feature["properties"]}
    out["key_areas"] = _key_areas(conn, day, feature["geometry"])
    of_house = replace(day, others=(("house_id", str(house_id)),))
    hazards = select(conn, get_layer("hazards"), of_house)
    found = items.rows(conn, hazards, list(_HOUSE_HAZARD), with_id=True, located_only=False)
    out["hazards"] = sorted(found, key=lambda h: (h["found_on"], h["id"]))
    out["visits"] = _visits(conn, house_id, day)
    return out


def _visits(conn: Connection, house_id: int, day: Scope) -> list[dict[str, Any]]:
    """The house's review visits up to the day (departments are not given them: only the
    hazards transferred to them)."""
    if not conn.execute(text("SELECT has_table_privilege('review_visits', 'SELECT')")).scalar():
        return []
    sql = text(query("web_map", "sql/house_visits.sql"))
    rows = conn.execute(sql, {"id": house_id, "as_of": day.as_of, "tz": day.tz.key})
    return [dict(r) for r in rows.mappings()]


def _key_areas(conn: Connection, day: Scope, geometry: dict | None) -> list[str]:
    if not geometry:
        return []
    lon, lat = geometry["coordinates"]
    at_point = replace(day, bbox=(lon, lat, lon, lat))
    areas = items.rows(conn, select(conn, get_layer("key_areas"), at_point), ["kind"])
    return sorted({a["kind"] for a in areas})


def house_count(conn: Connection, scope: Scope) -> int:
    """Houses with a point under the scope (decides clusters or vector tiles)."""
    return items.count(conn, select(conn, get_layer("houses"), scope, strict=False))


def basemap_tile(conn: Connection, z: int, x: int, y: int) -> bytes:
    """The offline basemap tile z/x/y (roads and unit areas) as MVT bytes."""
    if not (0 <= z <= 22 and 0 <= x < 2**z and 0 <= y < 2**z):
        raise NotFoundError(f"瓦片不存在 no tile {z}/{x}/{y}")
    sql = text(query("web_map", "sql/basemap_tile.sql"))
    return bytes(conn.execute(sql, {"z": z, "x": x, "y": y}).scalar_one())


def map_extent(conn: Connection, scope: Scope) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of the units the scope names (all when none)."""
    b = ScopeSql(scope, conn)
    row = conn.execute(
        text(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) e "
            f"FROM units u WHERE {where(b.units('u.id'))}) s"
        ),
        b.params,
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
