"""The menu (菜单) of the map and of the pages around it: which pages each role reaches.

One list of (path, label, roles); the map shows it as a drop-down (templates/menu.html), the
other pages as their top bar (templates/page.html). A page a role may not open is not listed
for it (the endpoint table refuses it anyway: geo_service.access.endpoints).
"""

from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, select_autoescape

from geo_service.access.roles import Role

A, L, S, P, D, V = (
    Role.ADMIN,
    Role.LEADER,
    Role.SUPERVISOR,
    Role.POLICE,
    Role.DEPARTMENT,
    Role.VILLAGE,
)
EVERYONE = frozenset(Role)
UPLOADERS = frozenset({A, P, D, V})
PATROL = frozenset({S, P})  # the review phase: plan, publish, visit (docs/field.md)


@dataclass(frozen=True)
class MenuItem:
    path: str
    label: str  # Chinese, as the users say it
    roles: frozenset[Role]


MENU: tuple[MenuItem, ...] = (
    MenuItem("/map", "地图", EVERYONE),
    MenuItem("/upload", "上报数据", UPLOADERS),
    MenuItem("/upload/history", "上报记录", UPLOADERS),
    MenuItem("/admin/users", "用户管理", frozenset({A})),
    MenuItem("/admin/audit", "审计日志", frozenset({A})),
    MenuItem("/plan", "路线规划", PATROL),
    MenuItem("/field", "巡查走访", PATROL),
)

_templates = Environment(
    loader=PackageLoader("web_map", "templates"), autoescape=select_autoescape(["html"])
)


def menu_items(role: str | Role | None) -> list[MenuItem]:
    """The entries `role` may open, in menu order (none for an unknown role)."""
    try:
        r = Role(role) if role is not None else None
    except ValueError:
        return []
    return [m for m in MENU if r in m.roles]


def menu_html(role: str | Role | None, current: str = "") -> str:
    """The map's drop-down menu for `role` (empty when it has nothing but the map)."""
    items = menu_items(role)
    if len(items) <= 1:
        return ""
    return _templates.get_template("menu.html").render(items=items, current=current)
