"""Where the page gets each kind of data: the layer and analytics APIs when the app serves them,
the map's own endpoints otherwise.

The page is built knowing which routes exist, so it never asks for one that is missing (a 404
in the browser console is an error, and an empty layer would look like "no hazards").
"""

from collections.abc import Iterable

# The map's own data endpoints (web_map/data_routes.py).
OWN = {
    "units": "/map/data/units.geojson",
    "key_areas": "/map/data/key_areas.geojson",
    "houses": "/map/data/houses.geojson",
    "hazards": "/map/data/hazards.geojson",
    "incidents": "/map/data/incidents.geojson",
    "house": "/map/data/houses/{id}",
    "summary": "/map/data/summary",
}
ROUTES = "/map/data/routes.geojson"  # read from the patrol-route module's plan tables
ROUTE_PLAN_API = "/routes/plans/{ref}/geojson"  # who may read plans may see them on the map
# Other modules' endpoints the page uses when present: source key → route path.
TILES = "/tiles/{layer_name}/{z}/{x}/{y}.pbf"
# At city scale these overlays come as vector tiles of the layer API (its layer of that name).
TILE_LAYERS = ("houses", "hazards", "overdue", "incidents")
EXTERNAL = {
    "hex": "/analytics/density/hex",
    "heat": "/analytics/density/heat",
    "hotspots": "/analytics/incidents/hotspots",
    "scores": "/analytics/scores",
    "risk": "/analytics/risk",
}


# Filters each external source accepts (it refuses unknown parameters); others get them all.
_HAZARD_FILTERS = ("as_of", "unit_id", "category", "severity", "status", "key_area_kind")
ACCEPTS = {
    "houses_tiles": ("as_of", "unit_id", "key_area_kind"),
    "hazards_tiles": _HAZARD_FILTERS,
    "overdue_tiles": ("as_of", "unit_id", "category", "severity", "key_area_kind"),
    "incidents_tiles": ("as_of", "unit_id", "key_area_kind"),
    "hex": _HAZARD_FILTERS,
    "heat": _HAZARD_FILTERS,
    "hotspots": ("as_of", "unit_id", "key_area_kind"),
    "scores": ("as_of",),  # the ranking is of every unit
    "risk": ("as_of", "unit_id", "key_area_kind"),  # houses filters: the maintained ranking
}
# Fixed parameters of a source.
FIXED = {
    "heat": {"format": "points"},
    "hotspots": {"significant_only": "true"},
    "risk": {"limit": "10"},
}


def sources(route_paths: Iterable[str], has_route_plans: bool) -> dict[str, str | None]:
    """Source key → URL (None when the app does not serve it)."""
    paths = set(route_paths)
    out: dict[str, str | None] = dict(OWN)
    for key, path in EXTERNAL.items():
        out[key] = path if path in paths else None
    for layer in TILE_LAYERS:
        out[f"{layer}_tiles"] = f"/tiles/{layer}/{{z}}/{{x}}/{{y}}.pbf" if TILES in paths else None
    out["routes"] = ROUTES if has_route_plans and ROUTE_PLAN_API in paths else None
    return out
