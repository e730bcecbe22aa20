"""The audit log for administrators and police (the database grants it to no one else)."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from geo_service import bounds
from geo_service.access import audit
from geo_service.access.accounts import Principal
from geo_service.access.dependencies import require_roles
from geo_service.access.personal import mask_record
from geo_service.access.roles import AUDIT_ROLES, UNMASKED_ROLES
from geo_service.api.deps import ConnDep

router = APIRouter(tags=["audit"])


@router.get("/audit", summary="审计日志 audit log (admin, police)")
def audit_log(
    user: Annotated[Principal, Depends(require_roles(*sorted(AUDIT_ROLES)))],
    conn: ConnDep,
    since: date | None = None,
    until: date | None = None,
    actor: str | None = None,
    table: Annotated[str | None, Query(max_length=50)] = None,
    action: Annotated[str | None, Query(max_length=30)] = None,
    limit: Annotated[int, Query(ge=1, le=audit.MAX_ROWS)] = 500,
) -> dict[str, Any]:
    bounds.optional_date(since, "since")
    bounds.optional_date(until, "until")
    rows = audit.entries(conn, since, until, actor, table, action, limit)
    if user.role not in UNMASKED_ROLES:  # import rows keep landlords' data as written
        rows = [
            r | {"before": mask_record(r["before"]), "after": mask_record(r["after"])} for r in rows
        ]
    return {"count": len(rows), "entries": rows}
