"""Where the database is, and engines to reach it."""

import psycopg2
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from geo_service.config import Settings
from geo_service.errors import SetupError
from geo_service.localdb import LocalCluster


def database_url(settings: Settings, start: bool = False) -> str:
    """`DATABASE_URL` when set; otherwise the local cluster's URL (started when `start`)."""
    if settings.database_url:
        return settings.database_url
    cluster = LocalCluster(settings.resolved_data_dir)
    if start:
        return cluster.up()
    if not cluster.running():
        raise SetupError(
            "the local PostGIS is not running: run `geo-service db up` (or set DATABASE_URL)"
        )
    return cluster.url


def sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg2://", 1).replace(
        "postgres://", "postgresql+psycopg2://", 1
    )


def make_engine(
    url: str, *, pool_size: int = 10, pool_timeout: float = 30, echo: bool = False
) -> Engine:
    """An engine whose pool holds `pool_size` connections (as many again in a burst); a
    request waits up to `pool_timeout` seconds for one before it is answered 503."""
    return create_engine(
        sqlalchemy_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_timeout=pool_timeout,
        echo=echo,
        connect_args={"connect_timeout": 5, "application_name": "geo-service"},
    )


def check_reachable(url: str) -> str:
    """The PostGIS version, or a one-line SetupError saying what to do."""
    try:
        with psycopg2.connect(url, connect_timeout=5) as conn, conn.cursor() as cur:
            cur.execute("SELECT extversion FROM pg_extension WHERE extname = 'postgis'")
            row = cur.fetchone()
    except psycopg2.OperationalError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else "connection failed"
        raise SetupError(
            f"cannot reach the database ({first}); check DATABASE_URL or run `geo-service db up`"
        ) from None
    if row is None:
        raise SetupError("PostGIS is not enabled in this database: run `geo-service db upgrade`")
    return row[0]


def postgis_version(engine: Engine) -> str:
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT postgis_full_version()")).scalar_one()
    except OperationalError as e:
        raise SetupError(f"database unreachable: {e.orig}") from None
