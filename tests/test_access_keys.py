"""API keys (geo_service/access/keys.py): made and revoked at the terminal, shown once, stored
as SHA-256, sent as `Authorization: Bearer`, acting with the user's role and row-level
security, every use audited.

GDAL reads through a real server on 127.0.0.1 with `GDAL_HTTP_AUTH=BEARER`, as QGIS and
ogr2ogr do. Data: the hand-made town of `spatial_data` (东村 holds H1, H2 and H5 — no point;
西社区 holds H3 and H4).
"""

import hashlib
import math
from collections.abc import Iterator

import httpx
import mapbox_vector_tile
import psycopg2
import pyogrio
import pytest
from access_helpers import ensure_user
from fastapi.testclient import TestClient
from spatial_data import TEST_SECRET, H, load, running_server
from sqlalchemy import text
from typer.testing import CliRunner

from geo_service.access import keys
from geo_service.api.app import create_app
from geo_service.cli import app as cli
from geo_service.config import Settings


@pytest.fixture(scope="module")
def app(engine, db_url: str) -> Iterator:
    load(engine)
    application = create_app(Settings(database_url=db_url, secret_key=TEST_SECRET))
    with TestClient(application):  # the lifespan opens the engine
        ensure_user(application, "police", username="k_police")
        ensure_user(application, "village", unit="东村", username="k_village")
        yield application


def _cli(db_url: str, monkeypatch, *args: str):
    monkeypatch.setenv("DATABASE_URL", db_url)
    return CliRunner().invoke(cli, ["keys", *args])


def _new_key(db_url, monkeypatch, user: str, name: str, *extra: str) -> str:
    result = _cli(db_url, monkeypatch, "add", user, "--name", name, *extra)
    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[-1]
    assert keys.looks_like_key(key), result.stdout
    return key


def _sql(engine, sql: str, **params):
    with engine.begin() as c:
        result = c.execute(text(sql), params)
        return result.all() if result.returns_rows else []


def test_key_is_shown_once_and_stored_as_its_sha256(app, engine, db_url, monkeypatch):
    key = _new_key(db_url, monkeypatch, "k_police", "QGIS 派出所")
    assert len(key) == 47 and key.startswith("gsk_")
    ((stored, prefix),) = _sql(
        engine, "SELECT key_hash, prefix FROM api_keys WHERE name = 'QGIS 派出所'"
    )
    assert stored == hashlib.sha256(key.encode()).hexdigest() and prefix == key[:12]
    # The key itself is nowhere in the database: not in the table, not in the audit log.
    dump = _sql(
        engine,
        "SELECT count(*) FROM (SELECT to_jsonb(k)::text AS t FROM api_keys k UNION ALL "
        "SELECT to_jsonb(a)::text FROM audit_log a) x WHERE t LIKE :k",
        k=f"%{key[12:]}%",
    )
    assert dump == [(0,)]
    listed = _cli(db_url, monkeypatch, "list", "k_police", "--json")
    assert listed.exit_code == 0 and key[12:] not in listed.stdout
    assert '"name": "QGIS 派出所"' in listed.stdout and '"state": "valid"' in listed.stdout
    again = _cli(db_url, monkeypatch, "add", "k_police", "--name", "QGIS 派出所")
    assert again.exit_code != 0 and "同名密钥已存在" in str(again.exception)


def test_bad_requests_at_the_terminal_are_clear(app, db_url, monkeypatch):
    from geo_service.cli import main

    monkeypatch.setattr("sys.argv", ["geo-service", "keys", "add", "nobody", "--name", "x"])
    monkeypatch.setenv("DATABASE_URL", db_url)
    with pytest.raises(SystemExit) as stop:
        main()
    assert stop.value.code == 1
    for args, words in (
        (["add", "k_police", "--name", "x", "--expires", "0"], "有效期"),
        (["revoke", "k_police", "no-such-key"], "无此密钥"),
    ):
        result = _cli(db_url, monkeypatch, *args)
        assert result.exit_code != 0 and words in str(result.exception), result.output


def test_key_acts_as_its_user_and_every_use_is_audited(app, engine, db_url, monkeypatch):
    village = _new_key(db_url, monkeypatch, "k_village", "村里的脚本")
    client = TestClient(app)
    h = {"Authorization": f"Bearer {village}"}
    r = client.get("/ogc/collections/houses/items", headers=h)
    assert r.status_code == 200, r.text
    assert sorted(f["properties"]["house_code"] for f in r.json()["features"]) == ["H1", "H2"]
    # Police-only data stay closed to a village's key, as to the village's log-in.
    assert client.get("/ogc/collections/incidents/items", headers=h).status_code == 403
    r = client.get("/ogc/collections/houses/items", headers=h)
    rows = _sql(
        engine,
        "SELECT actor, detail->>'request', detail->>'key' FROM audit_log "
        "WHERE action = 'key_use' AND detail->>'name' = '村里的脚本' ORDER BY id",
    )
    assert [r[1] for r in rows] == [
        "GET /ogc/collections/houses/items",
        "GET /ogc/collections/incidents/items",
        "GET /ogc/collections/houses/items",
    ]
    assert {r[0] for r in rows} == {"k_village"} and {r[2] for r in rows} == {village[:12]}
    listed = keys_list(engine, "k_village")["村里的脚本"]
    assert listed["use_count"] == 3 and listed["last_used_at"] is not None


def keys_list(engine, user: str) -> dict[str, dict]:
    with engine.connect() as c:
        return {r["name"]: r for r in keys.list_keys(c, user)}


def test_revoked_expired_and_disabled_keys_get_401(app, engine, db_url, monkeypatch):
    client = TestClient(app)
    url = "/ogc/collections/houses/items"
    revoked = _new_key(db_url, monkeypatch, "k_police", "to revoke")
    expired = _new_key(db_url, monkeypatch, "k_police", "to expire", "--expires", "1")
    assert client.get(url, headers={"Authorization": f"Bearer {revoked}"}).status_code == 200
    assert _cli(db_url, monkeypatch, "revoke", "k_police", "to revoke").exit_code == 0
    # A key made with --expires 1, two days later: moved back in time instead of waiting.
    back = "UPDATE api_keys SET expires_at = now() - interval '1 day' WHERE name = :n"
    _sql(engine, back, n="to expire")
    for key in (revoked, expired, "gsk_" + "x" * 43):
        r = client.get(url, headers={"Authorization": f"Bearer {key}"})
        assert r.status_code == 401, key
    reasons = _sql(
        engine,
        "SELECT detail->>'name', detail->>'reason' FROM audit_log WHERE action = 'key_refused' "
        "ORDER BY id",
    )
    assert reasons[-2:] == [("to revoke", "revoked"), ("to expire", "expired")]
    states = {n: r["state"] for n, r in keys_list(engine, "k_police").items()}
    assert (states["to revoke"], states["to expire"]) == ("revoked", "expired")
    # A disabled user's keys stop at once, and work again when the user is enabled.
    fresh = _new_key(db_url, monkeypatch, "k_village", "disabled later")
    h = {"Authorization": f"Bearer {fresh}"}
    _sql(engine, "UPDATE users SET disabled = true WHERE username = 'k_village'")
    assert client.get(url, headers=h).status_code == 401
    _sql(engine, "UPDATE users SET disabled = false WHERE username = 'k_village'")
    assert client.get(url, headers=h).status_code == 200


# -- GDAL, through a real server: what QGIS does ------------------------------------------------


@pytest.fixture(scope="module")
def server(app, db_url: str) -> Iterator[str]:
    with running_server(db_url) as url:
        yield url


@pytest.fixture
def gdal_key():
    """Set GDAL's bearer authentication for one test; unset afterwards."""

    def use(key: str) -> None:
        pyogrio.set_gdal_config_options({"GDAL_HTTP_AUTH": "BEARER", "GDAL_HTTP_BEARER": key})

    yield use
    pyogrio.set_gdal_config_options({"GDAL_HTTP_AUTH": None, "GDAL_HTTP_BEARER": None})


def _tile(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 2**z
    x = (lon + 180) / 360 * n
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return z, int(x), int(y)


def test_gdal_reads_ogc_features_and_a_tile_with_a_key(server, db_url, monkeypatch, gdal_key):
    police = _new_key(db_url, monkeypatch, "k_police", "GDAL police")
    village = _new_key(db_url, monkeypatch, "k_village", "GDAL village")
    gdal_key(police)
    df = pyogrio.read_dataframe(f"OAPIF:{server}/ogc", layer="houses")
    assert sorted(df["house_code"]) == ["H1", "H2", "H3", "H4"]
    z, x, y = _tile(*H["H3"], 14)
    tile = pyogrio.read_dataframe(f"/vsicurl/{server}/tiles/houses/{z}/{x}/{y}.pbf")
    assert list(tile["house_code"]) == ["H3"]
    door = tile.to_crs(4326).geometry[0]  # GDAL's MVT driver reads Web Mercator
    assert abs(door.x - H["H3"][0]) < 1e-4 and abs(door.y - H["H3"][1]) < 1e-4
    gdal_key(village)
    df = pyogrio.read_dataframe(f"OAPIF:{server}/ogc", layer="houses")
    assert sorted(df["house_code"]) == ["H1", "H2"]  # row-level security: its own village only
    empty = httpx.get(
        f"{server}/tiles/houses/{z}/{x}/{y}.pbf", headers={"Authorization": f"Bearer {village}"}
    )
    assert empty.status_code in (200, 204)
    assert "houses" not in mapbox_vector_tile.decode(empty.content)  # H3 is 西社区's


def test_gdal_is_refused_a_revoked_key(server, db_url, monkeypatch, gdal_key):
    key = _new_key(db_url, monkeypatch, "k_police", "GDAL revoked")
    gdal_key(key)
    assert len(pyogrio.read_dataframe(f"OAPIF:{server}/ogc", layer="houses")) == 4
    assert _cli(db_url, monkeypatch, "revoke", "k_police", key[:12]).exit_code == 0
    with pytest.raises(pyogrio.errors.DataSourceError, match="401"):
        pyogrio.read_dataframe(f"OAPIF:{server}/ogc", layer="houses")
    r = httpx.get(f"{server}/ogc/collections", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 401
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'key_refused' "
            "AND detail->>'key' = %s AND detail->>'reason' = 'revoked'",
            (key[:12],),
        )
        assert cur.fetchone()[0] >= 1
    conn.close()
