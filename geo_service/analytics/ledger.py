"""The per-unit counts from the event ledger, and their check against the direct SQL
(docs/ledger.md). Which path answers a scope is `answers` (geo_service.scope.ledger).

The ledger (migration 0015, `sql/0015_ledger.sql`) holds dated deltas per unit and per the
dimensions the scope filters on — hazard category, severity, 责任部门, status on D, the
key-area kinds of the house — so those questions are sums up to D. A filter the ledger has no
dimension for (a bbox, discovery dates) takes the direct path, as does a department user, whose
rows (its own hazards and their houses) are not whole units.
"""

from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy import Connection, text

from geo_service.analytics.common import run
from geo_service.domain.rules import RuleParams
from geo_service.scope import Scope, ScopeSql
from geo_service.scope.ledger import answers, marks

__all__ = ["answers", "differences", "fragments", "measures", "rebuild", "records"]


def fragments(b: ScopeSql, inspected: bool = True) -> dict[str, str]:
    """The ledger's markers (`geo_service.scope.ledger.marks`) and `{{inspected}}`: whether to
    count the 排查率's inspected houses at all."""
    return marks(b) | {"inspected": "true" if inspected else "false"}


def measures(
    conn: Connection, scope: Scope, rules: RuleParams, inspected: bool = True
) -> list[dict[str, Any]]:
    """The per-unit counts of `unit_measures.sql`, summed from the ledger. Without
    `inspected` (the scores do not use the 排查率), `houses_inspected` is None, not counted."""
    more = partial(fragments, inspected=inspected)
    return list(run(conn, "unit_measures_ledger.sql", scope, rules, more_marks=more))


def records(conn: Connection, scope: Scope, rules: RuleParams) -> list[dict[str, Any]]:
    """The codes behind each deduction of `unit_records.sql`, the houses on D read from the
    ledger's segments."""
    return list(run(conn, "unit_records_ledger.sql", scope, rules, more_marks=fragments))


def differences(
    conn: Connection, scope: Scope, rules: RuleParams, with_records: bool = True
) -> list[str]:
    """Where the ledger's per-unit counts (and, `with_records`, the codes behind each
    deduction) differ from the direct SQL's for `scope` (empty: they agree exactly): one line
    per unit and measure, for `geo-service ledger check` and the exactness tests."""
    direct = {r["unit_id"]: r for r in run(conn, "unit_measures.sql", scope, rules)}
    ledger = {r["unit_id"]: r for r in measures(conn, scope, rules)}
    if with_records:
        for r in run(conn, "unit_records.sql", scope, rules):
            direct.setdefault(r.pop("unit_id"), {}).update(r)
        for r in records(conn, scope, rules):
            ledger.setdefault(r.pop("unit_id"), {}).update(r)
    out = []
    for unit in sorted(direct.keys() | ledger.keys()):
        a, b = direct.get(unit, {}), ledger.get(unit, {})
        for key in sorted(a.keys() | b.keys()):
            if _plain(a.get(key)) != _plain(b.get(key)):
                name = a.get("unit_name") or b.get("unit_name")
                out.append(
                    f"{scope.as_of} {name} {key}: 直接 direct {_short(a.get(key))} "
                    f"≠ 事件账 ledger {_short(b.get(key))}"
                )
    return out


def _short(value: object) -> str:
    text_ = repr(value)
    return text_ if len(text_) < 200 else text_[:200] + "…"


def _plain(value: object) -> object:
    """Counts compare as ints whatever SQL type carried them; a category with no hazard is
    absent, as in the direct count."""
    if isinstance(value, dict):
        return {k: int(v) for k, v in value.items() if int(v)}
    if isinstance(value, Decimal):
        return int(value)
    return value


def rebuild(conn: Connection) -> None:
    """Count every event again from the tables (in the caller's transaction)."""
    conn.execute(text("SELECT ledger_rebuild()"))
