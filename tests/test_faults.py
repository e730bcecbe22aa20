"""Faults: PostgreSQL restarted under a burst of requests, and an import killed midway.

The service runs as a real `geo-service serve` subprocess and the import as a real
`geo-service import` subprocess, as in production. Every client call has a bounded timeout, so
a request left hanging fails the test instead of stalling it.
"""

import csv
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg2
import pytest
from etl_samples import HOUSE_HEADERS, SOUTH, UNITS, scalar, setup_town

from geo_service import migrate
from geo_service.localdb import LocalCluster, free_port

GEO = str(Path(sys.executable).parent / "geo-service")
ROOT = Path(__file__).resolve().parent.parent
CLIENT_TIMEOUT = 8.0  # seconds: longer than any answer here; a hanging request fails the test
DOWN_FOR = 2.0  # seconds PostgreSQL stays stopped
RECOVERY_GOAL = 5.0  # seconds after PostgreSQL accepts connections again


@dataclass
class Call:
    started: float
    seconds: float
    outcome: str  # the HTTP status, or the client-side exception's name


@pytest.fixture(scope="module")
def own_cluster() -> Iterator[tuple[LocalCluster, str]]:
    """A cluster of this module's own: restarting it disturbs no other test."""
    cluster = LocalCluster(Path(tempfile.mkdtemp(prefix="geo-faults-", dir="/tmp")))
    url = cluster.up()
    migrate.upgrade(url)
    try:
        yield cluster, url
    finally:
        cluster.destroy()


def _serve(db_url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "GEO_PORT": str(port), "GEO_HOST": "127.0.0.1"}
    proc = subprocess.Popen(
        [GEO, "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "geo-service serve exited at start"
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("geo-service serve did not start within 60 s")


def _auth_headers(base: str, db_url: str) -> dict[str, str]:
    """A bearer token when the service has access control; none otherwise."""
    described = httpx.get(base + "/openapi.json", timeout=10)
    # With access control even the API description needs a login (401).
    if described.status_code != 401 and "/auth/token" not in described.json()["paths"]:
        return {}
    from geo_service.access import accounts
    from geo_service.db import make_engine

    engine = make_engine(db_url, pool_size=1)
    with engine.begin() as conn:
        accounts.add_user(conn, "faults", "supervisor", "faults-Passw0rd", None, None)
    engine.dispose()
    r = httpx.post(
        base + "/auth/token", data={"username": "faults", "password": "faults-Passw0rd"}, timeout=10
    )
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _burst(base: str, headers: dict[str, str], stop: threading.Event, calls: list[Call]) -> None:
    paths = ["/ogc/collections/houses/items?limit=5", "/tiles/houses/14/13655/6671.pbf"]
    with httpx.Client(base_url=base, timeout=CLIENT_TIMEOUT, headers=headers) as client:
        i = 0
        while not stop.is_set():
            t0 = time.monotonic()
            try:
                outcome = str(client.get(paths[i % len(paths)]).status_code)
            except httpx.HTTPError as e:
                outcome = type(e).__name__
            calls.append(Call(t0, time.monotonic() - t0, outcome))
            i += 1
            time.sleep(0.02)


def test_postgres_restart_answers_503_then_recovers(own_cluster):
    cluster, db_url = own_cluster
    proc, base = _serve(db_url)
    try:
        headers = _auth_headers(base, db_url)
        calls: list[Call] = []
        stop = threading.Event()
        workers = [
            threading.Thread(target=_burst, args=(base, headers, stop, calls)) for _ in range(3)
        ]
        for w in workers:
            w.start()
        time.sleep(1.0)
        down_at = time.monotonic()
        cluster.down()
        time.sleep(DOWN_FOR)
        restart_at = time.monotonic()  # PostgreSQL may accept connections before start() returns
        cluster.start()
        up_at = time.monotonic()
        deadline = up_at + 3 * RECOVERY_GOAL
        while time.monotonic() < deadline:
            if any(c.started > up_at and c.outcome in ("200", "204") for c in list(calls)):
                break
            time.sleep(0.05)
        time.sleep(1.0)
        stop.set()
        for w in workers:
            w.join(timeout=2 * CLIENT_TIMEOUT)
    finally:
        proc.terminate()
        proc.wait(timeout=15)

    timeline = [(round(c.started - down_at, 2), round(c.seconds, 2), c.outcome) for c in calls]
    outcomes = {c.outcome for c in calls}
    assert outcomes <= {"200", "204", "503"}, f"unexpected answers: {timeline}"
    before = [c for c in calls if c.started + c.seconds < down_at]
    assert before and all(c.outcome in ("200", "204") for c in before), timeline
    while_down = [
        c for c in calls if c.started > down_at + 0.5 and c.started + c.seconds < restart_at
    ]
    assert while_down and all(c.outcome == "503" for c in while_down), timeline
    recovered = min(c.started for c in calls if c.started > up_at and c.outcome in ("200", "204"))
    assert recovered - up_at < RECOVERY_GOAL, f"recovered {recovered - up_at:.1f} s after restart"
    after = [c for c in calls if c.started > recovered]
    assert after and all(c.outcome in ("200", "204") for c in after), timeline
    assert max(c.seconds for c in calls) < CLIENT_TIMEOUT - 1, timeline  # nothing hung


# --- An import killed with SIGKILL midway leaves all of the file's rows or none.

HOUSES = 6_000


def _houses_csv(path: Path, n: int) -> Path:
    """`n` houses of 戴溪社区 with WGS84 coordinates (no geocoding needed)."""
    unit, _, west = UNITS[0]
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HOUSE_HEADERS)
        for i in range(n):
            lon = west + 0.0005 + 0.009 * (i % 97) / 97
            lat = SOUTH + 0.0005 + 0.009 * (i // 97 % 97) / 97
            row = [f"K{i:06d}", unit, f"洛阳镇{unit}测试路{i + 1}号", f"{lon:.6f}", f"{lat:.6f}"]
            row += ["WGS84", "出租人", None, None, None, None, 3, 4, 5, 5, "是", "是", "否"]
            out.writerow([*row, None, "否", "2026-10-01"])
    return path


def _import_backend(url: str) -> tuple | None:
    """(pid, in a transaction that has written) of the running import, if any."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT pid, xact_start IS NOT NULL AND backend_xid IS NOT NULL "
            "FROM pg_stat_activity WHERE application_name = 'geo-service import'"
        )
        row = cur.fetchone()
    conn.close()
    return row


def test_import_killed_midway_keeps_all_or_none(new_database, tmp_path):
    url = new_database("faults")
    setup_town(url, tmp_path)
    path = _houses_csv(tmp_path / "群租房.csv", HOUSES)
    env = {**os.environ, "DATABASE_URL": url}
    count = "SELECT count(*) FROM houses WHERE house_code LIKE 'K%%'"

    proc = subprocess.Popen(
        [GEO, "import", str(path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    writing = False
    while time.monotonic() < deadline and proc.poll() is None:
        row = _import_backend(url)
        if row and row[1]:  # its transaction holds a transaction id: it has written rows
            writing = True
            break
        time.sleep(0.02)
    assert writing, "the import finished before it could be killed midway: use a bigger file"
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=10) == -signal.SIGKILL

    # The server notices the dead client and rolls its transaction back.
    deadline = time.monotonic() + 30
    while _import_backend(url) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _import_backend(url) is None
    assert scalar(url, count) == 0  # killed inside its transaction: none of the rows

    # Nothing half-done blocks a second try: the whole file goes in.
    done = subprocess.run(
        [GEO, "import", str(path)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert scalar(url, count) == HOUSES
