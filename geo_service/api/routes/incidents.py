"""Incident overlay (警情叠加) for the police: near houses, per unit, Gi* hot spots.

Incidents are police-only data: every answer is `Cache-Control: private` (access control hooks
into `ConnDep` when it exists).
"""

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from geo_service.api.cache import CacheDep
from geo_service.api.deps import ConnDep
from geo_service.api.scope import ScopeDep
from geo_service.geojson import feature_collection
from geo_service.spatial import incidents
from geo_service.spatial.web import GEOJSON, DateText, cache_control, geojson

router = APIRouter(prefix="/analytics/incidents", tags=["incidents 警情"])
_GEOJSON_200 = {200: {"content": {GEOJSON: {}}, "description": "GeoJSON FeatureCollection"}}
_PRIVATE = cache_control(sensitive=True)


@dataclass
class IncidentFilterParams:
    """Filters of the incident analytics, declared once for the OpenAPI document."""

    as_of: Annotated[DateText, Query(description="YYYY-MM-DD, default today")] = None
    category: Annotated[str | None, Query(description="incident type(s), e.g. 盗窃,纠纷")] = None
    date_from: Annotated[DateText, Query(description="occurred on or after (YYYY-MM-DD)")] = None
    date_to: Annotated[DateText, Query(description="occurred on or before (YYYY-MM-DD)")] = None
    unit_id: Annotated[str | None, Query(description="unit id(s) of the houses / units")] = None
    key_area_kind: Annotated[
        str | None, Query(description="houses inside a key area of this kind")
    ] = None


Filters = Annotated[IncidentFilterParams, Depends()]


@router.get(
    "/near-houses",
    summary="出租房周边警情 incidents near each rental house",
    response_class=Response,
    responses=_GEOJSON_200,
)
def near_houses(
    cache: CacheDep,
    conn: ConnDep,
    scope: ScopeDep,
    _filters: Filters,
    radius_m: Annotated[float, Query(ge=1, le=2000, description="radius in metres")] = 100.0,
    limit: Annotated[int, Query(ge=1, le=100_000, description="houses at most")] = 1000,
) -> Response:
    """Houses with at least one incident within `radius_m` (great-circle distance), most first:
    total, nearest distance, counts by category and by month (YYYY-MM). The period is
    date_from–date_to (default: everything up to as_of)."""

    def answer() -> Response:
        features, meta = incidents.near_houses(conn, scope, radius_m, limit)
        return geojson(feature_collection(features, **meta), _PRIVATE)

    return cache.serve(answer)


@router.get(
    "/units",
    summary="单位警情 incidents per village/community",
    response_class=Response,
    responses=_GEOJSON_200,
)
def per_unit(cache: CacheDep, conn: ConnDep, scope: ScopeDep, _filters: Filters) -> Response:
    """Per village/community: incidents (by category), houses and incidents per 100 houses."""

    def answer() -> Response:
        features, meta = incidents.units(conn, scope)
        return geojson(feature_collection(features, **meta), _PRIVATE)

    return cache.serve(answer)


@router.get(
    "/hotspots",
    summary="警情热点 Getis-Ord Gi* hot spots",
    response_class=Response,
    responses=_GEOJSON_200,
)
def hot_spots(
    cache: CacheDep,
    conn: ConnDep,
    scope: ScopeDep,
    _filters: Filters,
    size_m: Annotated[
        float | None, Query(description="hexagon circumradius in metres (default 250)")
    ] = None,
    permutations: Annotated[
        int, Query(ge=0, le=9999, description="0: normal approximation; else permutation test")
    ] = 0,
    correction: Annotated[
        Literal["fdr", "none"], Query(description="fdr: Benjamini–Hochberg across cells")
    ] = "fdr",
    significant_only: Annotated[bool, Query(description="only hot/cold cells")] = False,
) -> Response:
    """Gi* on a hexagon grid over the villages and communities: each cell's incident count,
    z-score, two-sided p-value, confidence (99/95/90 or 0) and class hot/cold/none, so police
    see where incidents cluster beyond chance — not merely where houses are dense."""

    def answer() -> Response:
        features, summary = incidents.hot_spots(
            conn, scope, size_m, permutations, correction, significant_only
        )
        return geojson(feature_collection(features, **summary), _PRIVATE)

    return cache.serve(answer)
