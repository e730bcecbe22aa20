"""The campaign at a glance: houses, and hazards found, open, overdue, major and open,
rectified — under the scope, on its day and on an earlier one (the map's dashboard shows now
and a month before), in one statement."""

from datetime import date

from sqlalchemy import Connection

from geo_service.analytics.common import run
from geo_service.domain.rules import RuleParams
from geo_service.scope import Scope

Counts = dict[str, int]


def summary(
    conn: Connection, scope: Scope, rules: RuleParams, before: date
) -> tuple[Counts, Counts]:
    """({houses, found, open, overdue, major_open, rectified} on the scope's day, the same on
    `before`). The houses are counted as recorded on the scope's day (docs/history.md)."""
    [row] = run(conn, "summary.sql", scope, rules, before=before)
    houses = {"houses": int(row["houses"])}
    return houses | row["now"], houses | row["before"]
