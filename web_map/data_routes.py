"""The map's data: compact GeoJSON of each overlay under the filters, a house's popup, the
dashboard counts and the offline base map's vector tiles. Filters are the request's scope
(geo_service.scope, docs/filters.md), as for every other surface."""

from typing import Annotated, Any

from dateutil.relativedelta import relativedelta
from fastapi import APIRouter, HTTPException, Path, Request, Response

from geo_service import configfiles
from geo_service.analytics.summary import summary as hazard_summary
from geo_service.api.deps import ConnDep, SettingsDep
from geo_service.api.scope import ScopeDep
from geo_service.bounds import MAX_INT4
from geo_service.domain.rules import cctv_required, cctv_violation
from geo_service.errors import ValidationError
from web_map import queries
from web_map.params import MapQuery
from web_map.sources import ROUTE_PLAN_API
from web_map.viewer import landlord_contact, may_call, viewer_of

router = APIRouter(prefix="/map", tags=["map"])
_GEOJSON = "application/geo+json"


@router.get("/data/{layer}.geojson", summary="地图图层数据 a map overlay's features")
def layer_geojson(
    layer: Annotated[str, Path(json_schema_extra={"enum": list(queries.GEOJSON_LAYERS)})],
    request: Request,
    conn: ConnDep,
    scope: ScopeDep,
    _query: MapQuery,
) -> Response:
    """units, key_areas, houses, hazards, incidents or routes under the filters of the query
    string (a filter an overlay does not take is left out for it)."""
    viewer = viewer_of(request)
    if (layer == "incidents" and not viewer.can_see_incidents) or (
        layer == "routes" and not may_call(viewer, ROUTE_PLAN_API)
    ):
        raise HTTPException(403, f"无权查看该图层 layer {layer} is not for role {viewer.role}")
    return Response(queries.geojson(conn, layer, scope), media_type=_GEOJSON)


@router.get("/data/houses/{house_id}", summary="房屋详情 a house for its popup")
def house_detail(
    house_id: Annotated[int, Path(ge=0, le=MAX_INT4)],
    request: Request,
    conn: ConnDep,
    settings: SettingsDep,
    scope: ScopeDep,
    _query: MapQuery,
) -> dict[str, Any]:
    """The house, its key areas and its hazards (as of `as_of`), whether the CCTV rule applies
    and is broken; personal data masked unless the viewer may see it."""
    house = queries.house(conn, house_id, scope)
    rules = configfiles.rules(settings)
    counts = (house["rooms"], house["beds"], house["tenants"])
    house["cctv_required"] = cctv_required(*counts, rules)
    house["cctv_violation"] = cctv_violation(
        *counts, house["cctv_installed"], house["cctv_retention_days"], rules
    )
    return house | landlord_contact(conn, house_id, viewer_of(request))


@router.get("/data/summary", summary="态势统计 counts now and one month earlier")
def summary(
    conn: ConnDep, settings: SettingsDep, scope: ScopeDep, _query: MapQuery
) -> dict[str, Any]:
    """Houses and hazards found/open/overdue/major-open/rectified on the as-of day and on the
    same day of the previous month, under the filters (the analytics' summary)."""
    before = scope.as_of - relativedelta(months=1)
    now, then = hazard_summary(conn, scope, configfiles.rules(settings), before)
    return {
        "as_of": scope.as_of.isoformat(),
        "now": now,
        "month_before": {"as_of": before.isoformat(), **then},
    }


@router.get("/basemap/{z}/{x}/{y}.pbf", summary="离线底图瓦片 offline base map tile")
def basemap_tile(z: int, x: int, y: int, conn: ConnDep, size: int = 256) -> Response:
    """Roads and unit areas from the database as a Mapbox Vector Tile. With `size=512`, z/x/y
    address a 512-pixel tile (the page's: a quarter of the requests), i.e. the tile z-1/x/y."""
    if size not in (256, 512):
        raise ValidationError("瓦片尺寸应为 256 或 512 (size must be 256 or 512)")
    return Response(
        queries.basemap_tile(conn, z - 1 if size == 512 else z, x, y),
        media_type="application/vnd.mapbox-vector-tile",
        # The unit areas a tile holds depend on the viewer's role and unit: never shared.
        headers={"Cache-Control": "private, max-age=300"},
    )
