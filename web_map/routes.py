"""Map routes: the page, its own scripts and style; the data and export routes, and the pages
around the map (upload, accounts, audit), are included."""

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.routing import iter_route_contexts

from geo_service.access.web import with_nonce
from geo_service.api.deps import ConnDep, SettingsDep, today
from geo_service.api.scope import request_scope
from geo_service.errors import NotFoundError, ValidationError
from web_map import admin_pages, data_routes, export_routes, field_page, plan_page, upload_pages
from web_map.assets import APP_DIR, app_bundle
from web_map.basemaps import parse_basemap
from web_map.links import filter_pairs
from web_map.overlays import OVERLAY_KEYS
from web_map.page import PageRequest, build_page
from web_map.params import MapQuery
from web_map.viewer import may_call, viewer_of

router = APIRouter(tags=["map"])
router.include_router(data_routes.router)
router.include_router(export_routes.router)
router.include_router(upload_pages.router)  # 上报数据, 上报记录
router.include_router(admin_pages.router)  # 用户管理, 审计日志
router.include_router(plan_page.router)
router.include_router(field_page.router)


def page_request(request: Request, basemap_default: str) -> PageRequest:
    """The page's request from the URL: filters, base map, overlays switched on, viewer."""
    q = dict(request.query_params)
    layers = None
    if "layers" in q:
        layers = tuple(k for k in q["layers"].split(",") if k)
        unknown = [k for k in layers if k not in OVERLAY_KEYS]
        if unknown:
            raise ValidationError(f"图层无效 unknown layers: {', '.join(unknown)}")
    house_mode = q.get("house_mode") or None
    if house_mode not in (None, "tiles", "cluster"):
        raise ValidationError(f"房屋显示方式无效 invalid house_mode: {house_mode!r}")
    viewer = viewer_of(request)
    # The routes the app serves (router prefixes included) that this viewer may call.
    paths = {getattr(rc, "path", "") for rc in iter_route_contexts(request.app.routes)}
    return PageRequest(
        scope=request_scope(request),
        filters=filter_pairs(q),
        today=today(request),
        basemap=parse_basemap(q.get("basemap"), basemap_default),
        layers=layers,
        viewer=viewer,
        route_paths=frozenset(p for p in paths if p and may_call(viewer, p)),
        print_mode=q.get("print") == "1",
        house_mode=house_mode,
    )


@router.get("/", include_in_schema=False)
def root() -> RedirectResponse:
    return RedirectResponse("/map")


@router.get(
    "/map",
    response_class=HTMLResponse,
    summary="地图页面 the map page",
    description="Query: the filters of docs/filters.md (unit_id, key_area_kind, category, "
    "severity, status … comma lists; as_of YYYY-MM-DD), basemap (none/tianditu/amap/osm), "
    "layers (overlays on), print=1, house_mode (tiles/cluster: override the choice by the "
    "number of houses).",
)
def map_page(
    request: Request, conn: ConnDep, settings: SettingsDep, _query: MapQuery
) -> HTMLResponse:
    req = page_request(request, settings.basemap)
    html = build_page(conn, settings, req).get_root().render()
    # folium writes the map as inline scripts: they carry the response's CSP nonce.
    return HTMLResponse(with_nonce(request, html))


@router.get("/static/map/app.js", include_in_schema=False)
def app_script() -> Response:
    """The page's scripts as one file."""
    return Response(
        app_bundle(), media_type="text/javascript", headers={"Cache-Control": "no-cache"}
    )


@router.get("/static/map/{path:path}", include_in_schema=False)
def app_asset(path: str) -> FileResponse:
    """The page's own JS/CSS (files under web_map/static only)."""
    if "\x00" in path:  # no file name holds one (and the file system refuses to look)
        raise NotFoundError(f"文件不存在 no such asset: {path!r}")
    target = (APP_DIR / path).resolve()
    if not target.is_relative_to(APP_DIR.resolve()) or not target.is_file():
        raise NotFoundError(f"文件不存在 no such asset: {path}")
    return FileResponse(target, headers={"Cache-Control": "no-cache"})
