"""The printable route sheet (路线单) in Chinese: one A4 page per team, then the left-overs."""

from functools import cache

from jinja2 import Environment, PackageLoader, Template, select_autoescape

from geo_service.patrol.result import RoutePlan


@cache
def _template() -> Template:
    env = Environment(
        loader=PackageLoader("geo_service.patrol", "templates"),
        autoescape=select_autoescape(["html"]),
    )
    return env.get_template("sheet.html")


def route_sheet_html(
    plan: RoutePlan, contacts: dict[int, tuple[str, str | None]] | None = None
) -> str:
    """HTML of the sheet. Landlord contacts appear only when `contacts` is given (personal
    data: the caller decides who may print it); otherwise the column says they are hidden."""
    return _template().render(plan=plan, contacts=contacts)
