"""The field page (巡查走访, /field): a team member's phone, online or not.

The page is a shell with no data in it, so the service worker can keep it for offline use; its
script reads today's route (`GET /routes/field/today`), keeps visits recorded without network
in IndexedDB and sends them when the network returns (`POST /routes/field/visits`, once per
visit id). The service worker is served from /static/field/ and allowed the /field scope
(`Service-Worker-Allowed`), under the app's CSP (`worker-src 'self'`). See docs/field.md.
"""

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from geo_service.api.deps import CurrentUser
from web_map.menu import menu_items
from web_map.page_assets import page_file

router = APIRouter(tags=["map"])
_templates = Environment(
    loader=PackageLoader("web_map", "templates"), autoescape=select_autoescape(["html"])
)
SCOPE = "/field"


@router.get("/field", response_class=HTMLResponse, summary="巡查走访页面 the field page (phones)")
def field_page(request: Request, user: CurrentUser) -> HTMLResponse:
    html = _templates.get_template("field.html").render(menu=menu_items(user.role), current=SCOPE)
    return HTMLResponse(html)


@router.get("/static/field/{path:path}", include_in_schema=False)
def field_asset(path: str) -> FileResponse:
    """The field page's script, style and service worker (allowed to control /field)."""
    headers = {"Service-Worker-Allowed": SCOPE} if path == "sw.js" else None
    return page_file("field", path, headers)
