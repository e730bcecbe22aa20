"""Helpers shared by the analytics modules."""

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, text

from geo_service.analytics.filters import Filters, check_units
from geo_service.analytics.schemas import FiltersEcho
from geo_service.analytics.sqlfiles import sql
from geo_service.domain.rules import RuleParams

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
    for row in conn.execute(sql(name), params).mappings():
        yield dict(row)


def echo(filters: Filters) -> FiltersEcho:
    return FiltersEcho(**filters.describe())
