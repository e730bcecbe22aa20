"""The FastAPI application factory: the composition root of the API and the map."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg2
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from geo_service import __version__
from geo_service.cache.store import code_fingerprint
from geo_service.clock import Clock, utc_now
from geo_service.config import Settings
from geo_service.configfiles import fingerprint_files
from geo_service.db import database_url, make_engine
from geo_service.errors import (
    GeoServiceError,
    NotFoundError,
    SetupError,
    UnavailableError,
    ValidationError,
)


def _risk_refresher(settings: Settings, engine, clock: Clock):
    """The background refresh of today's risk ranking (analytics.risk_refresh), unless off."""
    if settings.risk_refresh_poll_s <= 0:
        return None
    from geo_service.analytics.risk_refresh import RiskRefresher
    from geo_service.clock import town_today
    from geo_service.configfiles import risk_weights, rules

    return RiskRefresher(
        engine,
        rules(settings),
        risk_weights(settings).params(),
        lambda: town_today(settings, clock),
        poll_s=settings.risk_refresh_poll_s,
    ).start()


_STATUS = {NotFoundError: 404, ValidationError: 422, SetupError: 503, UnavailableError: 503}


def create_app(settings: Settings, clock: Clock = utc_now) -> FastAPI:
    """Build the app for `settings`; the engine opens in the lifespan and closes at shutdown.
    `clock` tells the time ("today" is its date in the town's time zone; tests fix it).

    Refuses (SetupError) to build a production app with the placeholder secret.
    """
    from geo_service.access.tokens import signing_key
    from geo_service.access.web import install as install_access
    from web_map.assets import check_assets

    key = signing_key(settings)
    check_assets()  # no map or API docs without their scripts: refuse at start, not 500 later

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = make_engine(
            database_url(settings),
            pool_size=settings.db_pool_size,
            pool_timeout=settings.db_pool_timeout,
            echo=settings.sql_echo,
        )
        refresher = _risk_refresher(settings, app.state.engine, clock)
        try:
            yield
        finally:
            if refresher:
                refresher.stop()
            app.state.engine.dispose()

    from geo_service.api import contract

    app = FastAPI(
        title="群租房安全管理 GIS",
        description="Group-rental housing safety campaign: houses, hazards, scores and maps.",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,  # /docs and /redoc from local files: docs_pages below
        redoc_url=None,
        dependencies=[Depends(contract.json_bodies_only)],
    )
    app.state.settings = settings
    app.state.clock = clock
    app.state.cache_fingerprint = code_fingerprint(*fingerprint_files(settings))

    @app.exception_handler(GeoServiceError)
    async def _domain_error(request: Request, exc: GeoServiceError) -> JSONResponse:
        status = next((s for t, s in _STATUS.items() if isinstance(exc, t)), 400)
        return JSONResponse({"detail": str(exc)}, status_code=status)

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(PoolTimeout)
    @app.exception_handler(psycopg2.OperationalError)
    @app.exception_handler(psycopg2.InterfaceError)
    async def _database_down(request: Request, exc: Exception) -> JSONResponse:
        # PostgreSQL restarting or unreachable, or every pooled connection busy for the pool's
        # timeout: say so (503, retry) instead of a 500. The pool pings connections before use,
        # so requests succeed again as soon as the database is back.
        return JSONResponse(
            {"detail": "数据库暂时不可用，请稍后重试 database unavailable, retry shortly"},
            status_code=503,
            headers={"Retry-After": "5"},
        )

    contract.install(app)  # 422 bodies described truthfully; NUL characters refused (422)

    # The composition root: the API's routers and the map's, side by side in one app.
    from geo_service.api import docs_pages

    docs_pages.install(app)
    from fastapi.staticfiles import StaticFiles

    from geo_service.api.routes import all_routers
    from web_map.assets import PREFIX, VENDOR_DIR
    from web_map.routes import router as map_router

    for router in [*all_routers(), map_router]:
        app.include_router(router)

    app.mount(PREFIX, StaticFiles(directory=VENDOR_DIR, check_dir=False), name="vendor")
    # Login gate, per-request database roles, secure headers, CORS, size limits, log masking.
    install_access(app, settings, key)
    return app
