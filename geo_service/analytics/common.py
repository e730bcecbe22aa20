"""Helpers shared by the analytics modules."""

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection

from geo_service.analytics.filters import Filters, check_units
from geo_service.analytics.schemas import FiltersEcho
from geo_service.analytics.sqlfiles import sql
from geo_service.domain.rules import RuleParams


def run(
    conn: Connection,
    name: str,
    filters: Filters,
    rules: RuleParams,
    **extra: Any,
) -> Iterator[dict[str, Any]]:
    """Run `sql/<name>` with the filters' parameters (plus `extra`); rows as dicts."""
    check_units(conn, filters)
    params = filters.params(rules) | extra
    for row in conn.execute(sql(name), params).mappings():
        yield dict(row)


def echo(filters: Filters) -> FiltersEcho:
    return FiltersEcho(**filters.describe())
