"""Test fixtures: a real PostGIS, never a mock.

A throwaway cluster is created with the same code as `geo-service db up`, in a temporary
directory, for the whole test session (or `TEST_DATABASE_URL` names a server to create test
databases in). A migrated template database is cloned for each test module that writes.
If PostGIS cannot be had, database tests fail — they never skip.
"""

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from sqlalchemy import Engine

from geo_service import migrate
from geo_service.db import make_engine
from geo_service.localdb import LocalCluster

TEMPLATE = "geo_test_template"
# The suite runs `geo-service import` in its own process (CliRunner): imports must not lower
# the tests' priority (tests/test_import_nice.py checks the setting in a process of its own).
os.environ.setdefault("GEO_IMPORT_NICE", "0")


def _with_db(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


def _admin(url: str, sql: str) -> None:
    conn = psycopg2.connect(_with_db(url, "postgres"))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """URL of a PostGIS server (its `geo` database) for the test session."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        yield url
        return
    # /tmp, not pytest's tmp_path: the cluster's OS user (postgres, when root) must reach it.
    data_dir = Path(tempfile.mkdtemp(prefix="geo-test-", dir="/tmp"))
    cluster = LocalCluster(data_dir)
    url = cluster.up()
    try:
        yield url
    finally:
        cluster.destroy()


@pytest.fixture(scope="session")
def template_url(server_url: str) -> str:
    """A database migrated to head, used as the template of every test database."""
    _admin(server_url, f'DROP DATABASE IF EXISTS "{TEMPLATE}"')
    _admin(server_url, f'CREATE DATABASE "{TEMPLATE}"')
    url = _with_db(server_url, TEMPLATE)
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def new_database(server_url: str, template_url: str):
    """Factory: a fresh migrated database (cloned from the template); returns its URL."""
    created: list[str] = []

    def make(prefix: str = "t") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        _admin(server_url, f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
        created.append(name)
        return _with_db(server_url, name)

    yield make
    for name in created:
        _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def db_url(new_database) -> str:
    """An empty migrated database for one test module."""
    return new_database("mod")


@pytest.fixture(scope="module")
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url, pool_size=2)
    yield eng
    eng.dispose()


# --- The synthetic demo town (geo_service.demo), shared by every test that wants real-looking
# data. Session-scoped and READ-ONLY: a test that writes must use its own database.


@pytest.fixture(scope="session")
def demo_as_of():
    """The fixed as-of date of the demo fixture, so figures computed on it are reproducible."""
    import datetime

    return datetime.date(2026, 11, 15)


@pytest.fixture(scope="session")
def demo_url(new_database, demo_as_of) -> str:
    """A database holding the demo town: seed 7, scale 1 (~3,000 houses), as of 2026-11-15."""
    from geo_service.demo import load_demo

    url = new_database("demo")
    load_demo(url, seed=7, scale=1.0, as_of=demo_as_of)
    return url


@pytest.fixture(scope="session")
def demo_engine(demo_url: str) -> Iterator[Engine]:
    eng = make_engine(demo_url, pool_size=2)
    yield eng
    eng.dispose()


# --- Access control (tests/access_helpers.py): every API request needs a logged-in user.


@pytest.fixture(scope="session")
def client_as():
    """`client_as(client, "police")` (or `"village", unit="甲村"`): the same TestClient, now
    sending the token of a user of that role, created in the app's database on first use."""
    from access_helpers import login_as

    return login_as
