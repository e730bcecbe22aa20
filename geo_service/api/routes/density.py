"""Hazard density (隐患密度): hexagons, per-unit choropleth and heat points, as GeoJSON."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from geo_service.api.cache import CacheDep
from geo_service.api.deps import ConnDep
from geo_service.api.scope import ScopeDep
from geo_service.geojson import feature_collection
from geo_service.spatial import density
from geo_service.spatial.web import GEOJSON, HazardFilterParams, cache_control, geojson

router = APIRouter(prefix="/analytics/density", tags=["density 隐患密度"])

Filters = Annotated[HazardFilterParams, Depends()]
_GEOJSON_200 = {200: {"content": {GEOJSON: {}}, "description": "GeoJSON FeatureCollection"}}


@router.get(
    "/hex",
    summary="六边形密度 counts per hexagon",
    response_class=Response,
    responses=_GEOJSON_200,
)
def hexagons(
    cache: CacheDep,
    conn: ConnDep,
    scope: ScopeDep,
    _filters: Filters,
    layer: Annotated[
        Literal["hazards", "overdue", "houses", "incidents"],
        Query(description="what to count (default hazards)"),
    ] = "hazards",
    size_m: Annotated[
        float | None, Query(description="hexagon circumradius in metres (20–50000)")
    ] = None,
    zoom: Annotated[
        float | None, Query(description="size the hexagons for this web-map zoom instead")
    ] = None,
) -> Response:
    """Flat-topped hexagons (ST_Hexagon in the town's UTM zone) with the number of features in
    each — for hazards also how many are major, open, overdue and rectified on `as_of`. Only
    non-empty hexagons are returned, densest first. Filters are those of the layer's OGC
    collection (for hazards: as_of, unit_id, category, severity, status, key_area_kind,
    date_from/date_to on the discovery date, bbox)."""

    def answer() -> Response:
        features, meta = density.hexagons(conn, scope, layer, size_m, zoom)
        sensitive = layer == "incidents"
        return geojson(feature_collection(features, **meta), cache_control(sensitive=sensitive))

    return cache.serve(answer)


@router.get(
    "/units",
    summary="单位分布 choropleth per village/community",
    response_class=Response,
    responses=_GEOJSON_200,
)
def units(cache: CacheDep, conn: ConnDep, scope: ScopeDep, _filters: Filters) -> Response:
    """Per village/community: houses, hazards found by `as_of` (open, overdue, rectified,
    major) and hazards / unrectified / overdue per 100 houses (one decimal; null without
    houses). Hazard filters narrow the hazards; unit_id and key_area_kind narrow both."""

    def answer() -> Response:
        features, meta = density.units(conn, scope)
        return geojson(feature_collection(features, **meta), cache_control())

    return cache.serve(answer)


@router.get(
    "/heat",
    summary="热力点 weighted heat points",
    response_class=Response,
    responses=_GEOJSON_200,
)
def heat(
    cache: CacheDep,
    conn: ConnDep,
    scope: ScopeDep,
    _filters: Filters,
    format: Annotated[
        Literal["geojson", "points"],
        Query(description="geojson, or points: [[lat, lon, weight], …] for folium HeatMap"),
    ] = "geojson",
    w_major: Annotated[float, Query(ge=0, description="weight of a major hazard")] = 3.0,
    w_general: Annotated[float, Query(ge=0, description="weight of a general hazard")] = 1.0,
    w_overdue: Annotated[float, Query(ge=0, description="factor when overdue")] = 2.0,
    zoom: Annotated[
        int | None,
        Query(
            ge=0,
            le=24,
            description="sum the points per cell of 4 screen pixels at this web-map zoom "
            "(what the map asks for, with the view's bbox)",
        ),
    ] = None,
) -> Response:
    """One point per house with hazards; weight = Σ (3 if 重大 else 1) × (2 if overdue else 1)
    over its hazards (weights adjustable). By default only unrectified hazards (status
    open,overdue) heat the map. With `zoom`, one point per grid cell of 4 pixels at that zoom
    (weight summed, placed at the weight-centred position of its houses)."""
    weights = density.HeatWeights(w_major, w_general, w_overdue)

    def answer() -> Response:
        out, meta = density.heat(conn, scope, weights, as_points=format == "points", zoom=zoom)
        if format == "points":
            body = f'{{"points": {out}, "as_of": "{meta["as_of"]}"}}'
            return Response(body, media_type="application/json", headers=cache_control())
        return geojson(feature_collection(out, **meta), cache_control())

    return cache.serve(answer)
