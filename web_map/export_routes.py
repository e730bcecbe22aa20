"""Exports of what the map shows: the current filter as GeoJSON/CSV/XLSX, the view as PNG."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from geo_service.api.deps import ConnDep, LoggedIn
from geo_service.api.scope import ScopeDep
from geo_service.errors import ValidationError
from geo_service.geojson import GEOJSON
from web_map import exports, snapshot
from web_map.links import filter_pairs, filter_query
from web_map.overlays import OVERLAY_KEYS
from web_map.params import MapQuery

router = APIRouter(prefix="/map", tags=["map"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get(
    "/export.png",
    summary="导出地图图片 the map view as PNG (for the bulletin)",
    description="Query: the map's filters, basemap, layers, view (zoom/lat/lng), width, height.",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
def export_png(request: Request, _user: LoggedIn, scope: ScopeDep, _query: MapQuery) -> Response:
    """Rendered by headless Chromium on this server, with the caller's credentials, within
    `snapshot.TIME_LIMIT_S` (503 beyond). The caller is checked before the browser starts; no
    database connection is held while it works."""
    return _png(request, dict(request.query_params), scope.as_of.isoformat())


@router.get(
    "/export.{fmt}",
    summary="导出 export the current filter as geojson, csv or xlsx",
    description="Query: layer (houses or hazards), the map's filters, bbox "
    "(west,south,east,north: only what is in view).",
    response_class=Response,
)
def export(
    fmt: str, request: Request, conn: ConnDep, scope: ScopeDep, _query: MapQuery
) -> Response:
    q = dict(request.query_params)
    if fmt not in ("geojson", "csv", "xlsx"):
        raise ValidationError(f"不支持的格式 unsupported format: {fmt} (geojson, csv, xlsx, png)")
    layer = q.get("layer", "hazards")
    data = exports.rows(conn, layer, scope)
    name = f"{layer}-{scope.as_of.isoformat()}.{fmt}"
    if fmt == "geojson":
        return Response(
            exports.to_geojson(layer, data), media_type=GEOJSON, headers=_attachment(name)
        )
    if fmt == "csv":
        return Response(
            exports.to_csv(layer, data), media_type="text/csv; charset=utf-8",
            headers=_attachment(name),
        )  # fmt: skip
    xlsx = exports.to_xlsx(layer, data, scope, filter_pairs(q))
    return Response(xlsx, media_type=XLSX, headers=_attachment(name))


def _png(request: Request, q: dict[str, str], day: str) -> Response:
    keep = {k: q[k] for k in ("basemap", "layers") if q.get(k)}
    if "layers" in keep and any(k not in OVERLAY_KEYS for k in keep["layers"].split(",")):
        raise ValidationError(f"图层无效 unknown layers: {keep['layers']}")
    try:
        width = min(max(int(q.get("width", 1280)), 320), 3000)
        height = min(max(int(q.get("height", 800)), 240), 3000)
    except ValueError:
        raise ValidationError("宽高应为整数 width and height must be integers") from None
    shot = snapshot.Shot(
        query=filter_query(q, **keep),
        view=snapshot.parse_view(q.get("view")),
        width=width,
        height=height,
    )
    host, port = request.scope["server"]  # the socket this server listens on
    headers = {k: v for k, v in request.headers.items() if k in ("cookie", "authorization")}
    png = snapshot.render_png(f"http://{host}:{port}", shot, headers)
    name = f"map-{day}.png"
    return Response(png, media_type="image/png", headers=_attachment(name))
