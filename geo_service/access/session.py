"""Put one transaction under a user's database role, and record its sensitive reads.

`enter` runs first in every API request's transaction: it switches to `geo_api_<role>` and
sets the transaction-local settings the policies read. Both end with the transaction, so a
pooled connection never carries one user's rights into the next request.
"""

import json
from datetime import date
from typing import Any

from sqlalchemy import Connection, text

from geo_service.access.accounts import Principal
from geo_service.access.roles import INCIDENT_ROLES, db_role

_AUDIT_KEY = "geo_access_reads"

_ENTER = text(
    "SELECT set_config('role', :db_role, true), "
    "set_config('app.user_role', :role, true), "
    "set_config('app.unit_id', :unit_id, true), "
    "set_config('app.department_id', :department_id, true), "
    "set_config('app.username', :username, true), "
    "set_config('app.request', :request, true), "
    "set_config('geo.effective', :effective, true)"
)


def enter(
    conn: Connection, user: Principal, request: str = "", effective: date | None = None
) -> None:
    """Switch the current transaction to `user`'s database role and settings.

    `request` ("GET /path", no query string) is written into audit rows of this transaction.
    `effective` (the town's today) is the day the request's changes to houses take effect
    (house history, docs/history.md); without it they correct the current version in place.
    """
    conn.execute(
        _ENTER,
        {
            "db_role": db_role(user.role),
            "role": user.role.value,
            "unit_id": str(user.village_unit_id or ""),
            "department_id": str(user.department_id or ""),
            "username": user.username,
            "request": request[:300],
            "effective": effective.isoformat() if effective else "",
        },
    )
    conn.info[_AUDIT_KEY] = []


def note_read(conn: Connection, keys: list[Any]) -> None:
    """Name the incident records a route read, for the request's audit row."""
    conn.info.setdefault(_AUDIT_KEY, []).extend(keys)


def leave(conn: Connection, user: Principal) -> None:
    """Before commit: one audit row when this transaction read incidents."""
    keys = conn.info.pop(_AUDIT_KEY, None)
    if user.role in INCIDENT_ROLES:
        conn.execute(
            text("SELECT audit_incident_reads(CAST(:ids AS jsonb))"),
            {"ids": json.dumps(keys, default=str) if keys else None},
        )
