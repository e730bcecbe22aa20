"""Alembic environment: the URL comes from the caller's config, else from Settings."""

from alembic import context
from sqlalchemy import create_engine, pool

from geo_service.config import Settings
from geo_service.db import database_url, sqlalchemy_url
from geo_service.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or sqlalchemy_url(database_url(Settings()))


def _include_object(obj, name, type_, reflected, compare_to) -> bool:
    # PostGIS and pgRouting own tables of their own (spatial_ref_sys, topology…).
    return not (type_ == "table" and reflected and compare_to is None)


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection") or create_engine(
        _url(), poolclass=pool.NullPool
    )
    if hasattr(connectable, "connect"):
        with connectable.connect() as connection:
            _run(connection)
    else:
        _run(connectable)


def _run(connection) -> None:
    context.configure(
        connection=connection, target_metadata=target_metadata, include_object=_include_object
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
