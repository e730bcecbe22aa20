"""The rules in force: the parameters the database holds, loaded from the town's rules file.

A hazard's deadline and state are computed in SQL from `rule_params` (migration 0009), so a
rules file only takes effect when it is applied: `apply` writes the parameters, re-derives every
stored deadline and leaves an audit row, in one transaction. A process whose configured rules
file differs from what the database holds refuses to answer (`ensure_in_force`) instead of
answering by rules nobody applied.
"""

import getpass
import json
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection, text

from geo_service.domain.rules import RuleParams, fingerprint
from geo_service.errors import SetupError

_COLUMNS = {
    "major_deadline_days": "major_days",
    "general_deadline_months": "general_months",
    "cctv_min_rooms": "cctv_min_rooms",
    "cctv_min_beds": "cctv_min_beds",
    "cctv_min_tenants": "cctv_min_tenants",
    "cctv_min_retention_days": "cctv_min_retention_days",
    "campus_buffer_m": "campus_buffer_m",
}


class RulesNotAppliedError(SetupError):
    """The configured rules file is not the one the database applies."""


@dataclass(frozen=True)
class Applied:
    """What `apply` changed: the parameters before and after, and the deadlines re-derived."""

    before: RuleParams
    after: RuleParams
    deadlines_changed: int


def in_force(conn: Connection) -> tuple[RuleParams, str]:
    """The parameters the database applies, with their fingerprint."""
    row = conn.execute(text("SELECT * FROM rule_params")).mappings().one()
    return RuleParams(**{field: row[col] for field, col in _COLUMNS.items()}), row["fingerprint"]


def ensure_in_force(conn: Connection, configured: RuleParams) -> None:
    """Refuse to answer by rules the database does not apply (say which and what to do)."""
    held, held_fp = in_force(conn)
    if held_fp == fingerprint(configured):
        return
    diff = ", ".join(
        f"{name} {getattr(held, name)}→{getattr(configured, name)}"
        for name in _COLUMNS
        if getattr(held, name) != getattr(configured, name)
    )
    raise RulesNotAppliedError(
        "规则文件与数据库中生效的规则不一致，请运行 `geo-service rules apply` "
        f"(the configured rules file differs from the rules in force: {diff}; "
        "run `geo-service rules apply`)"
    )


def apply(conn: Connection, rules: RuleParams, actor: str | None = None) -> Applied:
    """Make `rules` the rules in force and re-derive every stored deadline, with an audit row.

    Runs in the caller's transaction: the parameters, the deadlines and the audit row commit
    together or not at all.
    """
    before, _ = in_force(conn)
    params = {col: getattr(rules, field) for field, col in _COLUMNS.items()}
    sets = ", ".join(f"{col} = :{col}" for col in params)
    conn.execute(
        text(f"UPDATE rule_params SET {sets}, fingerprint = :fp, applied_at = now()"),
        params | {"fp": fingerprint(rules)},
    )
    # The trigger hazards_derive_due recomputes due_on on any update of it.
    changed = conn.execute(
        text(
            "UPDATE hazards SET due_on = due_on"
            " WHERE due_on IS DISTINCT FROM hazard_due(found_on, severity, deadline_on)"
        )
    ).rowcount
    if before != rules:
        _audit(conn, actor or f"cli:{getpass.getuser()}", before, rules, changed)
    return Applied(before, rules, changed)


def _audit(conn: Connection, actor: str, before: RuleParams, after: RuleParams, n: int) -> None:
    detail: dict[str, Any] = {"deadlines_changed": n}
    conn.execute(
        text(
            "INSERT INTO audit_log (actor, action, table_name, record_key, before, after, detail)"
            " VALUES (:actor, 'rules_apply', 'rule_params', 'rule_params',"
            " CAST(:before AS jsonb), CAST(:after AS jsonb), CAST(:detail AS jsonb))"
        ),
        {
            "actor": actor,
            "before": json.dumps(asdict(before)),
            "after": json.dumps(asdict(after)),
            "detail": json.dumps(detail),
        },
    )
