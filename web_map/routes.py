"""Map routes: the page and its locally served assets."""

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse

from geo_service.api.deps import EngineDep
from web_map.page import build_map

router = APIRouter(tags=["map"])


@router.get("/", include_in_schema=False)
def root() -> RedirectResponse:
    return RedirectResponse("/map")


@router.get("/map", response_class=HTMLResponse, summary="地图页面 the map page")
def map_page(engine: EngineDep) -> HTMLResponse:
    return HTMLResponse(build_map(engine).get_root().render())
