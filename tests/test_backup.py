"""`geo-service backup` then `restore` round-trips the whole database."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg2

SEED = """
INSERT INTO units (id, name, kind, geom) VALUES
  (1, '戴溪社区', 'community',
   ST_Multi(ST_MakeEnvelope(120.06, 31.69, 120.08, 31.71, 4326)));
INSERT INTO houses (id, house_code, unit_id, address, landlord_name, landlord_phone, rooms,
  beds, tenants, registered_tenants, is_registered, pledge_signed, geom)
VALUES (1, 'H1', 1, '戴溪社区人民路1号', '张三', '13812345678', 12, 14, 15, 15, true, true,
        ST_SetSRID(ST_MakePoint(120.07, 31.70), 4326));
"""


def _cli(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "geo_service", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": url},
        timeout=120,
    )


def _snapshot(url: str) -> list:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT house_code, landlord_phone, ST_AsText(geom), (SELECT count(*) FROM units)"
            " FROM houses ORDER BY house_code"
        )
        return cur.fetchall()


def test_backup_restore_round_trip(new_database, tmp_path: Path) -> None:
    url = new_database("backup")
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(SEED)
    before = _snapshot(url)
    dump = tmp_path / "geo.dump"
    assert _cli(url, "backup", str(dump)).returncode == 0
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("DELETE FROM houses; UPDATE units SET name = 'changed'")
    assert _snapshot(url) == []
    r = _cli(url, "restore", str(dump), "--yes")
    assert r.returncode == 0, r.stderr
    assert _snapshot(url) == before == [("H1", "13812345678", "POINT(120.07 31.7)", 1)]


def test_restore_missing_file_is_one_line(db_url: str, tmp_path: Path) -> None:
    r = _cli(db_url, "restore", str(tmp_path / "nope.dump"), "--yes")
    assert r.returncode == 1
    assert "Traceback" not in r.stderr and "备份文件不存在" in r.stderr
