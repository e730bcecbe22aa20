"""OGC API – Features (Part 1 core + GeoJSON, Part 3 queryables as query parameters) at /ogc.

Every registered layer is a collection. QGIS and GDAL (`OAPIF:http://host:port/ogc`) read them;
paging follows the `next` links. Invalid parameters answer 400 as the standard asks.
"""

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from geo_service.access.readable import readable_tables, require_readable
from geo_service.api.cache import CacheDep, footprint
from geo_service.api.deps import ConnDep
from geo_service.api.scope import request_scope
from geo_service.bounds import MAX_INT4, MAX_OFFSET
from geo_service.errors import ValidationError
from geo_service.geojson import feature_collection
from geo_service.spatial import items
from geo_service.spatial.selection import accepted, select
from geo_service.spatial.web import (
    GEOJSON,
    DateText,
    base_url,
    cache_control,
    geojson,
    query_dict,
)
from layers.registry import LAYERS, Layer, get_layer

router = APIRouter(prefix="/ogc", tags=["OGC API – Features"])

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
]
_JSON_SCHEMA_TYPE = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
}
_GEOJSON_200 = {200: {"content": {GEOJSON: {}}, "description": "GeoJSON"}}


def _layer(
    collection_id: Annotated[
        str, Path(description="collection (layer) id", json_schema_extra={"enum": sorted(LAYERS)})
    ],
    conn: ConnDep,
) -> Layer:
    layer = get_layer(collection_id)
    require_readable(conn, layer.table)  # a role that may not read it does not see it at all
    return layer


LayerDep = Annotated[Layer, Depends(_layer)]


def _bad_request(e: ValidationError) -> JSONResponse:
    return JSONResponse(
        {"code": "InvalidParameterValue", "description": str(e), "detail": str(e)},
        status_code=400,
    )


def _link(href: str, rel: str, type_: str, title: str | None = None) -> dict[str, str]:
    link = {"href": href, "rel": rel, "type": type_}
    if title:
        link["title"] = title
    return link


@router.get("", summary="着陆页 landing page")
def landing(request: Request) -> dict[str, Any]:
    """The API's entry point: links to the API definition, conformance and collections."""
    root = base_url(request)
    return {
        "title": "群租房安全管理 GIS — OGC API Features",
        "description": "Houses, hazards, incidents, key areas and units of the campaign.",
        "links": [
            _link(f"{root}/ogc", "self", "application/json", "this document"),
            _link(
                f"{root}/openapi.json",
                "service-desc",
                "application/vnd.oai.openapi+json;version=3.0",
                "API definition",
            ),
            _link(f"{root}/docs", "service-doc", "text/html", "API documentation"),
            _link(f"{root}/ogc/conformance", "conformance", "application/json"),
            _link(f"{root}/ogc/collections", "data", "application/json", "collections"),
        ],
    }


@router.get("/conformance", summary="符合性 conformance classes")
def conformance() -> dict[str, list[str]]:
    return {"conformsTo": CONFORMANCE}


def _collection(request: Request, conn: ConnDep, layer: Layer) -> dict[str, Any]:
    root = f"{base_url(request)}/ogc/collections/{layer.name}"
    bbox = items.extent(conn, layer)
    filters = ", ".join(accepted(layer))
    description = " ".join(
        s for s in (f"{layer.title}.", layer.description, f"Filters 过滤参数: {filters}.") if s
    )
    out: dict[str, Any] = {
        "id": layer.name,
        "title": f"{layer.title_zh} {layer.title}",
        "description": description,
        "itemType": "feature",
        "crs": [CRS84],
        "links": [
            _link(root, "self", "application/json"),
            _link(f"{root}/items", "items", GEOJSON, "features"),
            _link(
                f"{root}/queryables",
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                "application/schema+json",
            ),
            _link(f"{root}/schema", "describedby", "application/schema+json"),
            _link(
                f"{base_url(request)}/tiles/{layer.name}.json",
                "tiles",
                "application/json",
                "TileJSON (Mapbox Vector Tiles)",
            ),
        ],
    }
    if bbox:
        out["extent"] = {"spatial": {"bbox": [bbox], "crs": CRS84}}
    return out


@router.get("/collections", summary="集合列表 collections")
def collections(request: Request, conn: ConnDep) -> dict[str, Any]:
    root = base_url(request)
    readable = readable_tables(conn)
    return {
        "links": [_link(f"{root}/ogc/collections", "self", "application/json")],
        "collections": [
            _collection(request, conn, layer)
            for layer in LAYERS.values()
            if layer.table in readable  # only what the caller's role may open
        ],
    }


@router.get("/collections/{collection_id}", summary="集合 one collection")
def collection(request: Request, conn: ConnDep, layer: LayerDep) -> dict[str, Any]:
    return _collection(request, conn, layer)


def _schema(request: Request, layer: Layer, filterable_only: bool) -> dict[str, Any]:
    props = {
        p.name: {"title": p.title_zh, **_JSON_SCHEMA_TYPE[p.type]}
        | ({"enum": list(p.choices)} if p.choices else {})
        for p in layer.properties
        if p.filter or not filterable_only
    }
    return {
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$id": str(request.url).split("?")[0],
        "type": "object",
        "title": layer.title_zh,
        "properties": props,
        "additionalProperties": not filterable_only,
    }


@router.get("/collections/{collection_id}/queryables", summary="可查询属性 queryables")
def queryables(request: Request, layer: LayerDep) -> JSONResponse:
    """The properties usable as `?name=value` filters (comma-separated values match any)."""
    return JSONResponse(_schema(request, layer, True), media_type="application/schema+json")


@router.get("/collections/{collection_id}/schema", summary="属性模式 feature schema")
def schema(request: Request, layer: LayerDep) -> JSONResponse:
    """JSON Schema of the properties of the collection's features."""
    return JSONResponse(_schema(request, layer, False), media_type="application/schema+json")


@router.get(
    "/collections/{collection_id}/items",
    summary="要素 features",
    response_class=Response,
    responses=_GEOJSON_200,
)
def features(
    request: Request,
    cache: CacheDep,
    conn: ConnDep,
    layer: LayerDep,
    limit: Annotated[
        int, Query(ge=1, description=f"page size (max {MAX_LIMIT}; larger is capped)")
    ] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="features to skip (paging)")] = 0,
    bbox: Annotated[str | None, Query(description="minx,miny,maxx,maxy in lon/lat")] = None,
    datetime: Annotated[
        str | None, Query(description="date, instant or start/end ('..' open) on the layer's date")
    ] = None,
    as_of: Annotated[
        DateText,
        Query(description="YYYY-MM-DD: the campaign as it stood that day (default today)"),
    ] = None,
) -> Response:
    """Features of a collection, in `fid` order, with `next`/`prev` links for paging.

    Besides the parameters below, each collection accepts its queryables as filters, e.g.
    `/ogc/collections/hazards/items?category=lpg_cylinder&unit_id=3&status=overdue`, and
    `date_from`, `date_to`, `key_area_kind` where its description lists them.
    """
    query = query_dict(request)
    try:
        sel = select(conn, layer, request_scope(request), ignore=("limit", "offset"))
    except ValidationError as e:
        return _bad_request(e)
    limit = min(limit, MAX_LIMIT)
    here = f"{base_url(request)}/ogc/collections/{layer.name}/items"

    def page_link(rel: str, at: int) -> dict[str, str]:
        q = {**query, "limit": str(limit), "offset": str(at)}
        return _link(f"{here}?{urlencode(q)}", rel, GEOJSON)

    def answer() -> Response:
        matched = items.count(conn, sel)
        links = [page_link("self", offset)]
        if offset + limit < matched:
            links.append(page_link("next", offset + limit))
        if offset > 0:
            links.append(page_link("prev", max(0, offset - limit)))
        links.append(_link(here.rsplit("/items", 1)[0], "collection", "application/json"))
        body = feature_collection(
            items.page(conn, sel, limit, offset),
            numberMatched=matched,
            numberReturned=max(0, min(limit, matched - offset)),
            links=links,
        )
        return geojson(body, cache_control(layer))

    where = footprint(conn, request_scope(request)) if layer.at_its_houses else None
    return cache.serve(answer, where)


@router.get(
    "/collections/{collection_id}/items/{feature_id}",
    summary="单个要素 one feature",
    response_class=Response,
    responses=_GEOJSON_200,
)
def feature(
    request: Request,
    conn: ConnDep,
    layer: LayerDep,
    feature_id: Annotated[int, Path(ge=-MAX_INT4, le=MAX_INT4)],
    as_of: Annotated[DateText, Query(description="YYYY-MM-DD (default today)")] = None,
) -> Response:
    """One feature by its id; 404 when it does not exist (or did not yet exist on `as_of`)."""
    try:
        sel = select(conn, layer, request_scope(request))
    except ValidationError as e:
        return _bad_request(e)
    body = items.one(conn, sel, feature_id)
    if body is None:
        return JSONResponse(
            {"code": "NotFound", "description": f"要素不存在 (no feature {feature_id})"},
            status_code=404,
        )
    return geojson(body, cache_control(layer))
