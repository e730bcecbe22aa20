"""The self-managed cluster: created once, idempotent, stopped cleanly, clear errors."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2
import pytest
from access_helpers import auth_headers
from fastapi.testclient import TestClient

from geo_service import migrate
from geo_service.api.app import create_app
from geo_service.config import Settings
from geo_service.localdb import LocalCluster


def geo_service(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "geo_service", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.fixture(scope="module")
def cluster() -> LocalCluster:
    c = LocalCluster(Path(tempfile.mkdtemp(prefix="geo-lc-", dir="/tmp")))
    yield c
    c.destroy()


def test_up_creates_once_and_is_idempotent_and_fast(cluster: LocalCluster) -> None:
    url = cluster.up()
    state = (cluster.data_dir / "cluster.json").stat()
    assert oct(state.st_mode & 0o777) == "0o600"  # the superuser password is private
    started = time.monotonic()
    assert cluster.up() == url  # already running: same URL, no re-init
    assert time.monotonic() - started < 1.0
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SHOW listen_addresses")
        assert cur.fetchone()[0] == "127.0.0.1"


def test_down_then_up_keeps_data(cluster: LocalCluster) -> None:
    url = cluster.up()
    migrate.upgrade(url)
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO meta VALUES ('probe', '{\"n\": 1}')")
    assert cluster.down() is True
    assert cluster.running() is False
    assert cluster.down() is False  # stopping a stopped cluster is not an error
    url = cluster.up()
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT value->>'n' FROM meta WHERE key = 'probe'")
        assert cur.fetchone()[0] == "1"


def test_migrations_round_trip(cluster: LocalCluster) -> None:
    url = cluster.up()
    migrate.upgrade(url)
    migrate.downgrade(url, "base")
    assert migrate.current(url) is None
    migrate.upgrade(url)
    assert migrate.current(url) is not None
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM hazard_categories")
        assert cur.fetchone()[0] == 13  # SPEC §3.2 lists 13 categories


def test_healthz_answers_503_with_what_is_down(cluster: LocalCluster) -> None:
    url = cluster.up()
    migrate.upgrade(url)
    with TestClient(create_app(Settings(database_url=url))) as client:
        ok = client.get("/healthz", headers=auth_headers(client.app, "admin"))  # the details
        assert ok.status_code == 200
        assert ok.json()["postgis"].startswith("3.")
        cluster.down()
        try:
            down = client.get("/healthz")
        finally:
            cluster.up()
        assert down.status_code == 503
        assert down.json()["database"] == "down"
        assert client.get("/healthz").status_code == 200  # recovers by itself


def test_unreachable_database_url_is_one_line() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = geo_service("db", "status", env={"DATABASE_URL": f"postgresql://u:p@127.0.0.1:{port}/x"})
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert "cannot reach the database" in r.stderr and "DATABASE_URL" in r.stderr


def test_occupied_port_is_one_line(cluster: LocalCluster) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = geo_service("serve", "--port", str(port), env={"DATABASE_URL": cluster.up()})
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert f"port {port}" in r.stderr and "--port" in r.stderr


def test_unwritable_data_dir_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    r = geo_service("db", "up", env={"GEO_DATA_DIR": str(blocker / "data"), "DATABASE_URL": ""})
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert "not writable" in r.stderr and "GEO_DATA_DIR" in r.stderr
