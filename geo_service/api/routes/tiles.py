"""Mapbox Vector Tiles of the registered layers, and a TileJSON per layer.

An empty tile answers `204 No Content` (with the same Cache-Control as a full one); map
clients treat it as a tile with no features.
"""

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from geo_service.access.readable import require_readable
from geo_service.api.cache import CacheDep, footprint
from geo_service.api.deps import ConnDep
from geo_service.api.scope import ScopeDep
from geo_service.spatial import items, tiles
from geo_service.spatial.selection import accepted, select
from geo_service.spatial.web import MVT, DateText, base_url, cache_control, query_dict
from layers.registry import LAYERS, Layer, get_layer

router = APIRouter(prefix="/tiles", tags=["vector tiles"])

MIN_ZOOM, MAX_ZOOM = 0, 22  # advertised in TileJSON; tiles are served down to z24
# The layers, listed in the API description (an unknown name is still a 404 with the list).
LayerName = Annotated[str, Path(description="layer", json_schema_extra={"enum": sorted(LAYERS)})]
_MVT_FIELD = {"integer": "Number", "number": "Number", "boolean": "Boolean"}


@router.get(
    "/{layer_name}/{z}/{x}/{y}.pbf",
    summary="矢量瓦片 vector tile",
    response_class=Response,
    responses={
        200: {"content": {MVT: {}}, "description": "Mapbox Vector Tile"},
        204: {"description": "empty tile (no feature here)"},
    },
)
def tile(
    request: Request,
    cache: CacheDep,
    conn: ConnDep,
    scope: ScopeDep,
    layer_name: LayerName,
    z: int,
    x: int,
    y: int,
    limit: Annotated[
        int, Query(ge=1, le=tiles.MAX_LIMIT, description="features per tile at most")
    ] = tiles.DEFAULT_LIMIT,
    as_of: Annotated[DateText, Query(description="YYYY-MM-DD (default today)")] = None,
) -> Response:
    """Tile z/x/y (Web Mercator XYZ) of a layer, with the same filters as its OGC collection
    (e.g. `?as_of=2025-03-01&status=overdue&category=lpg_cylinder&unit_id=3`)."""
    layer = get_layer(layer_name)
    sel = select(conn, layer, scope, ignore=("limit",))

    def answer() -> Response:
        data = tiles.tile(conn, sel, z, x, y, limit)
        headers = cache_control(layer)
        if not data:
            return Response(status_code=204, headers=headers)
        return Response(content=data, media_type=MVT, headers=headers)

    bounds = tiles.lonlat_bounds(z, x, y)
    return cache.serve(answer, footprint(conn, scope, bounds) if layer.at_its_houses else None)


def _fields(layer: Layer) -> dict[str, str]:
    return {p.name: _MVT_FIELD.get(p.type, "String") for p in layer.properties if p.in_tiles}


@router.get("/{layer_name}.json", summary="TileJSON")
def tilejson(
    request: Request, conn: ConnDep, scope: ScopeDep, layer_name: LayerName
) -> dict[str, Any]:
    """TileJSON 3.0 of a layer; the filters given here are carried into its tile URL."""
    layer = get_layer(layer_name)
    require_readable(conn, layer.table)  # tiles themselves are refused by the database
    query = query_dict(request)
    sel = select(conn, layer, scope, ignore=("limit",))
    qs = urlencode(query)
    url = f"{base_url(request)}/tiles/{layer.name}/{{z}}/{{x}}/{{y}}.pbf" + (f"?{qs}" if qs else "")
    out: dict[str, Any] = {
        "tilejson": "3.0.0",
        "name": f"{layer.title_zh} {layer.title}",
        "description": f"{layer.description} Filters: {', '.join(accepted(layer))}.".strip(),
        "tiles": [url],
        "minzoom": MIN_ZOOM,
        "maxzoom": MAX_ZOOM,
        "vector_layers": [
            {
                "id": layer.name,
                "fields": _fields(layer),
                "minzoom": MIN_ZOOM,
                "maxzoom": MAX_ZOOM,
            }
        ],
        "as_of": sel.as_of.isoformat() if layer.as_of else None,
    }
    if bbox := items.extent(conn, layer):
        out["bounds"] = bbox
        out["center"] = [(bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2, 13]
    return out
