"""Plain pages around the map (上报数据, 用户管理, 审计日志): one layout with the menu, the
app's own style and scripts (web_map/static), no inline script, so the default CSP holds."""

from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from geo_service.access.accounts import Principal
from geo_service.access.roles import ROLE_ZH
from geo_service.clock import town_tz
from web_map.menu import menu_items

_templates = Environment(
    loader=PackageLoader("web_map", "templates"), autoescape=select_autoescape(["html"])
)


def _local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    # Times are shown as the town reads its clocks (GEO_TIMEZONE).
    return value.astimezone(town_tz()).strftime(fmt) if value else ""


_templates.filters["local"] = _local_time


def render(
    request: Request, user: Principal, template: str, status: int = 200, **context: Any
) -> HTMLResponse:
    """`template` (extending page.html) for `user`, with the menu of their role."""
    html = _templates.get_template(template).render(
        user=user,
        role_zh=ROLE_ZH[user.role],
        menu=menu_items(user.role),
        current=request.url.path,
        **context,
    )
    return HTMLResponse(html, status_code=status)
