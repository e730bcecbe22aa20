"""Helpers shared by the analytics modules."""

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, text

from geo_service.analytics.filters import Filters, check_units
from geo_service.analytics.schemas import FiltersEcho
from geo_service.domain.rules import RuleParams
from geo_service.errors import ValidationError
from geo_service.sqlfiles import statement

WORK_MEM = "64MB"


def run(
    conn: Connection,
    name: str,
    filters: Filters,
    rules: RuleParams,
    **extra: Any,
) -> Iterator[dict[str, Any]]:
    """Run `sql/<name>` with the filters' parameters (plus `extra`); rows as dicts."""
    check_units(conn, filters)
    # Aggregating a town's (or a city's) rows sorts and hashes more than the default 4 MB;
    # transaction-local, so the pooled connection goes back unchanged.
    conn.execute(text("SELECT set_config('work_mem', :wm, true)"), {"wm": WORK_MEM})
    params = filters.params(rules) | extra
    for row in conn.execute(statement("geo_service.analytics", f"sql/{name}"), params).mappings():
        yield dict(row)


def echo(filters: Filters) -> FiltersEcho:
    return FiltersEcho(**filters.describe())


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
