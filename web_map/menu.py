"""The pages of the app, in one menu shown by role: (path, label, roles allowed).

Each page checks its own access (geo_service/access/endpoints.py); the menu only leaves out
what a role would be refused.
"""

from jinja2 import Environment, PackageLoader, select_autoescape

ALL = frozenset({"admin", "leader", "supervisor", "police", "department", "village"})
PLANNERS = frozenset({"supervisor", "police"})

MENU: list[tuple[str, str, frozenset[str]]] = [
    ("/map", "地图", ALL),
    ("/plan", "路线规划", PLANNERS),
    ("/field", "巡查走访", PLANNERS),
]

_templates = Environment(
    loader=PackageLoader("web_map", "templates"), autoescape=select_autoescape(["html"])
)


def menu_items(role: str) -> list[tuple[str, str]]:
    """(path, label) of the pages `role` may open ("anonymous": no access control, all)."""
    return [(path, label) for path, label, roles in MENU if role == "anonymous" or role in roles]


def menu_html(role: str, current: str) -> str:
    """The menu as HTML, `current` marked."""
    return _templates.get_template("menu.html").render(items=menu_items(role), current=current)
