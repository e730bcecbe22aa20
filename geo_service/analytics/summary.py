"""The campaign at a glance on D: houses, and hazards found, open, overdue, major and open,
rectified — under the scope (the map's dashboard shows them now and a month earlier)."""

from sqlalchemy import Connection

from geo_service.analytics.common import run
from geo_service.domain.rules import RuleParams
from geo_service.scope import Scope


def summary(conn: Connection, scope: Scope, rules: RuleParams) -> dict[str, int]:
    """{houses, found, open, overdue, major_open, rectified} on the scope's day."""
    [row] = run(conn, "summary.sql", scope, rules)
    return {k: int(v) for k, v in row.items()}
