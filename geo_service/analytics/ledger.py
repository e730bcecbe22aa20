"""Which path answers the per-unit counts: the event ledger or the direct SQL (docs/ledger.md).

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
from geo_service.scope import Scope, ScopeSql, where


def answers(conn: Connection, scope: Scope) -> bool:
    """Whether the ledger can answer `scope`'s per-unit counts exactly: the one place this is
    decided."""
    if scope.bbox is not None or scope.found_from is not None or scope.found_to is not None:
        return False
    return conn.execute(text("SELECT app_role()")).scalar() != "department"


def fragments(b: ScopeSql, inspected: bool = True) -> dict[str, str]:
    """The scope's conditions on ledger rows (alias l): `{{ledger_house_scope}}` the unit and
    key-area filters, `{{ledger_hazard_scope}}` the hazard filters, `{{ledger_hazards}}` the
    narrow table unless a filter needs the wide one's severity, department or key areas;
    `{{inspected}}` whether to count the 排查率's inspected houses at all."""
    s = b.scope
    house = b.units("l.unit_id")
    if s.key_area_kinds:
        kinds = b.bind("ka_kinds", list(s.key_area_kinds))
        house.append(f"(l.areas & ledger_area_mask(CAST({kinds} AS text[]))) <> 0")
    wide = bool(s.severities or s.departments or s.key_area_kinds)
    return {
        "ledger_house_scope": where(house),
        "ledger_hazard_scope": where(b.hazards("l")),
        "ledger_hazards": "ledger_hazards" if wide else "ledger_hazard_units",
        "inspected": "true" if inspected else "false",
    }


def measures(
    conn: Connection, scope: Scope, rules: RuleParams, inspected: bool = True
) -> list[dict[str, Any]]:
    """The per-unit counts of `unit_measures.sql`, summed from the ledger. Without
    `inspected` (the scores do not use the 排查率), `houses_inspected` is None, not counted."""
    marks = partial(fragments, inspected=inspected)
    return list(run(conn, "unit_measures_ledger.sql", scope, rules, more_marks=marks))


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
