"""Reading the audit log (审计日志): for `geo-service audit` and the `/audit` endpoint.

Rows are written only inside the database (triggers and SECURITY DEFINER functions, see
`access/sql/`) and by the CLI's account commands; nothing here writes.
"""

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Connection, text

MAX_ROWS = 10_000


def entries(
    conn: Connection,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    actor: str | None = None,
    table: str | None = None,
    action: str | None = None,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """Audit rows, newest first, filtered; dates mean whole days (until is inclusive)."""
    if isinstance(since, date) and not isinstance(since, datetime):
        since = datetime.combine(since, time.min)
    if isinstance(until, date) and not isinstance(until, datetime):
        until = datetime.combine(until, time.max)
    rows = conn.execute(
        text(
            """
            SELECT id, at, actor, action, table_name, record_key, before, after, detail
            FROM audit_log
            WHERE (CAST(:since AS timestamp) IS NULL OR at >= CAST(:since AS timestamp))
              AND (CAST(:until AS timestamp) IS NULL OR at <= CAST(:until AS timestamp))
              AND (CAST(:actor AS text) IS NULL OR actor = :actor)
              AND (CAST(:tbl AS text) IS NULL OR table_name = :tbl)
              AND (CAST(:action AS text) IS NULL OR action = :action)
            ORDER BY at DESC, id DESC
            LIMIT :limit
            """
        ),
        {
            "since": since,
            "until": until,
            "actor": actor,
            "tbl": table,
            "action": action,
            "limit": max(1, min(int(limit), MAX_ROWS)),
        },
    ).mappings()
    return [dict(r) for r in rows]
