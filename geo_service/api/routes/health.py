"""Health: really asks PostGIS, answers 503 with what is down."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from geo_service.api.deps import EngineDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(engine: EngineDep) -> JSONResponse:
    try:
        with engine.connect() as conn:
            postgis = conn.execute(text("SELECT postgis_lib_version()")).scalar_one()
            houses = conn.execute(text("SELECT count(*) FROM houses")).scalar_one()
    except SQLAlchemyError as e:
        reason = str(getattr(e, "orig", e)).strip().splitlines()[0]
        return JSONResponse(
            {"status": "unavailable", "database": "down", "detail": reason}, status_code=503
        )
    return JSONResponse({"status": "ok", "database": "up", "postgis": postgis, "houses": houses})
