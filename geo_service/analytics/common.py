"""Helpers shared by the analytics modules: run a packaged query under a scope, echo it."""

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, text

from geo_service import bounds
from geo_service.analytics.schemas import FiltersEcho
from geo_service.domain.rules import RuleParams
from geo_service.errors import ValidationError
from geo_service.scope import Scope, ScopeSql, where
from geo_service.sqlfiles import render

WORK_MEM = "64MB"


def fragments(b: ScopeSql) -> dict[str, str]:
    """The scope's conditions for the markers of the analytics SQL: `{{house_scope}}` on the
    houses (alias h), `{{hazard_scope}}` on the hazard states (alias z), `{{unit_scope}}` on
    the units listed (alias u), `{{hazard_houses}}` on hazard states (alias z): their house
    is in scope on D (`true` without a house filter, so no join is made for nothing; the 自建房
    flag as recorded on D), `{{hazard_houses_before}}` the same on :before."""
    houses = b.houses("h")

    def hazard_houses(day: str) -> str:
        if not houses:
            return "true"
        return (
            "EXISTS (SELECT 1 FROM (SELECT h.id, h.unit_id, h.geom, house_self_built_on(h.id,"
            f" h.valid_from, h.is_self_built, CAST(:{day} AS date)) AS is_self_built"
            f" FROM houses h) h WHERE h.id = z.house_id AND {where(houses)})"
        )

    return {
        "house_scope": where(houses),
        "hazard_scope": where(b.hazards("z")),
        "unit_scope": where(b.units("u.id")),
        "hazard_houses": hazard_houses("as_of"),
        "hazard_houses_before": hazard_houses("before"),
    }


def params(scope: Scope, rules: RuleParams) -> dict[str, Any]:
    """Bound parameters shared by every analytics SQL file (besides the scope's own)."""
    start, end = scope.period
    return {
        "as_of": scope.as_of,
        "period_from": start,
        "period_to": end,
        "cctv_min_rooms": rules.cctv_min_rooms,
        "cctv_min_beds": rules.cctv_min_beds,
        "cctv_min_tenants": rules.cctv_min_tenants,
        "cctv_min_retention_days": rules.cctv_min_retention_days,
    }


def run(
    conn: Connection,
    name: str,
    scope: Scope,
    rules: RuleParams,
    **extra: Any,
) -> Iterator[dict[str, Any]]:
    """Run `sql/<name>` under the scope (plus `extra` parameters); rows as dicts."""
    b = ScopeSql(scope, conn)  # an unknown unit is a 404 here, before any work
    # Aggregating a town's (or a city's) rows sorts and hashes more than the default 4 MB;
    # transaction-local, so the pooled connection goes back unchanged.
    conn.execute(text("SELECT set_config('work_mem', :wm, true)"), {"wm": WORK_MEM})
    sql = render("geo_service.analytics", f"sql/{name}", **fragments(b))
    for row in conn.execute(text(sql), params(scope, rules) | b.params | extra).mappings():
        yield dict(row)


def echo(conn: Connection, scope: Scope) -> FiltersEcho:
    """The scope the figures were computed for, as the query parameters that ask for it."""
    b = ScopeSql(scope, conn)
    start, end = scope.period
    return FiltersEcho(
        as_of=scope.as_of,
        unit_id=b.unit_ids,
        units=b.unit_names,
        key_area_kind=list(scope.key_area_kinds),
        category=list(scope.categories),
        category_group=list(scope.category_groups),
        severity=list(scope.severities),
        status=list(scope.statuses),
        department=[str(d) for d in scope.departments],
        found_from=scope.found_from,
        found_to=scope.found_to,
        period_from=start,
        period_to=end,
        bbox=list(scope.bbox) if scope.bbox else None,
    )


def check_page(limit: int | None, offset: int) -> None:
    """Refuse a page that cannot exist (the API validates too; this guards the callers)."""
    if limit is not None and limit < 1:
        raise ValidationError("limit 每页条数至少为 1 (must be ≥ 1)")
    if offset < 0:
        raise ValidationError("offset 起始位置不能为负数 (must be ≥ 0)")


def page_fields(total: int, limit: int | None, offset: int, returned: int) -> dict[str, Any]:
    """The paging fields of a report: `total` over every page, and where the next page
    starts (None on the last page)."""
    after = offset + returned
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "next_offset": after if returned and after < total else None,
    }


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of a `YYYY-MM` month."""
    try:
        year, mon = (int(x) for x in month.split("-"))
        first = date(year, mon, 1)
    except ValueError:
        raise ValidationError(f"月份格式应为 YYYY-MM (month must be YYYY-MM): {month!r}") from None
    bounds.check_date(first, "month")
    nxt = date(year + mon // 12, mon % 12 + 1, 1)
    return first, nxt - timedelta(days=1)
