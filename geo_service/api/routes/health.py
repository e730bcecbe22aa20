"""Health: really asks PostGIS, answers 503 when it is down.

Open without a log-in, so it says only up or down; an administrator's (checked) token also
gets the PostGIS version and the number of houses. Why the database is down goes to the
server's log, not to whoever asks.
"""

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from geo_service.access import accounts
from geo_service.access.dependencies import claims_of
from geo_service.access.roles import Role
from geo_service.api.deps import EngineDep

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)


def _details(conn: Connection, request: Request) -> dict[str, Any]:
    claims = claims_of(request)
    user = claims and accounts.current(conn, claims.username, claims.epoch)
    if not user or user.role != Role.ADMIN:
        return {}
    return {
        "postgis": conn.execute(text("SELECT postgis_lib_version()")).scalar_one(),
        "houses": conn.execute(text("SELECT count(*) FROM houses")).scalar_one(),
    }


@router.get("/healthz")
def healthz(request: Request, engine: EngineDep) -> JSONResponse:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1")).scalar_one()
            details = _details(conn, request)
    except SQLAlchemyError as e:
        log.warning("health check: database down: %s", str(getattr(e, "orig", e)).strip())
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up", **details})
