"""The route-planning page (路线规划, /plan): the review-phase planner on a map.

The page is a shell; its script asks the routes API for the targets, plans with progress
(`POST /routes/plans/stream`), publishes and lists the plans. Same planner as
`geo-service routes plan`.
"""

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from geo_service.api.deps import ConnDep, CurrentUser, SettingsDep, today
from geo_service.configfiles import route_params
from geo_service.patrol.config import TARGET_KIND_ZH, format_hhmm
from geo_service.scope import Scope
from web_map import queries
from web_map.basemaps import OFFLINE_TILES
from web_map.menu import menu_items
from web_map.page_assets import page_file

router = APIRouter(tags=["map"])
_templates = Environment(
    loader=PackageLoader("web_map", "templates"), autoescape=select_autoescape(["html"])
)
# Priority classes of the targets on the map (lower bound, colour, label), highest first.
PRIORITY_CLASSES = (
    (90, "#b2182b", "≥90 重大隐患"),
    (60, "#ef6548", "60–89 指定/固定"),
    (30, "#fdae61", "30–59 逾期"),
    (0, "#4393c3", "<30 待复核/重点区域"),
)


def _config(request: Request, conn, user, settings) -> dict:
    params = route_params(settings)
    day = today(request)
    extent = queries.map_extent(conn, Scope(as_of=day, tz=settings.tz))
    return {
        "today": day.isoformat(),
        "user": user.username,
        "shift": [format_hhmm(params.shift_start_s), format_hhmm(params.shift_end_s)],
        "maxTargets": params.max_targets,
        "teams": 6,
        "depots": {key: d.name for key, d in params.depots.items()},
        "bounds": [[extent[1], extent[0]], [extent[3], extent[2]]] if extent else None,
        "basemap": OFFLINE_TILES,
        "priorityClasses": [list(c) for c in PRIORITY_CLASSES],
        "kindsZh": TARGET_KIND_ZH,
    }


@router.get("/plan", response_class=HTMLResponse, summary="路线规划页面 the route-planning page")
def plan_page(
    request: Request, conn: ConnDep, user: CurrentUser, settings: SettingsDep
) -> HTMLResponse:
    html = _templates.get_template("plan.html").render(
        config=_config(request, conn, user, settings),
        menu=menu_items(user.role),
        current="/plan",
        synthetic=queries.is_synthetic(conn),
    )
    return HTMLResponse(html)


@router.get("/static/plan/{path:path}", include_in_schema=False)
def plan_asset(path: str) -> FileResponse:
    """The planning page's own script and style."""
    return page_file("plan", path)
