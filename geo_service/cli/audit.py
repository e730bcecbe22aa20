"""`geo-service audit`: who changed what, and who read personal data or incidents."""

import json
from datetime import datetime

import typer
from rich.table import Table

from geo_service.cli.common import console, engine, print_json


def audit(
    since: datetime = typer.Option(None, help="from this date/time (YYYY-MM-DD[ HH:MM])"),
    until: datetime = typer.Option(None, help="up to this date/time"),
    actor: str = typer.Option(None, help="only this user"),
    table: str = typer.Option(None, help="only this table (houses, hazards, incidents, users…)"),
    action: str = typer.Option(
        None, help="insert / update / delete / read / read_personal / user_*"
    ),
    limit: int = typer.Option(200, help="at most this many rows, newest first"),
    as_json: bool = typer.Option(False, "--json", help="print JSON with before/after"),
) -> None:
    """审计日志 Show the audit log (writes, personal-data and incident reads, account changes)."""
    from geo_service.access import audit as audit_log

    with engine().connect() as conn:
        rows = audit_log.entries(conn, since, until, actor, table, action, limit)
    if as_json:
        print_json(rows)
        return
    t = Table("时间 at", "用户 actor", "操作 action", "表 table", "记录 record", "详情 detail")
    for r in rows:
        t.add_row(
            f"{r['at']:%Y-%m-%d %H:%M:%S}",
            r["actor"],
            r["action"],
            r["table_name"],
            r["record_key"] or "",
            _short(r),
        )
    console.print(t)
    console.print(f"{len(rows)} 条 rows")


def _short(r: dict) -> str:
    if r["before"] is not None and r["after"] is not None:
        changed = sorted(k for k in r["after"] if r["after"].get(k) != r["before"].get(k))
        return "changed: " + ", ".join(changed)
    detail = dict(r["detail"] or {})
    for key in ("ids", "house_codes"):
        if key in detail and isinstance(detail[key], list) and len(detail[key]) > 5:
            detail[key] = [*detail[key][:5], "…"]
    return json.dumps(detail, ensure_ascii=False)
