"""The response cache: an answer is reused only while the data it came from are unchanged,
and only for callers who may see the same rows (hand-made town of analytics_data, D = May 31).
"""

import json

import pytest
from access_helpers import auth_headers
from analytics_data import load
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from geo_service.api.app import create_app
from geo_service.cli import app as cli_app
from geo_service.config import Settings
from geo_service.db import make_engine
from geo_service.models import Base

OVERDUE = "/analytics/overdue"
D = {"as_of": "2026-05-31"}
# api_keys, like users: who may ask is checked on every request, before the cache.
NOT_VERSIONED = {
    "audit_log",
    "users",
    "api_keys",
    "data_version",
    "data_change_marks",
    "data_changes",
    "response_cache",
}
# The record of uploads: no cached answer is computed from it (the data an upload writes bumps
# the version through their own tables).
NOT_VERSIONED |= {"import_jobs", "import_files"}
# The maintained risk ranking is derived from the versioned tables and records the version it
# was computed from; its answers are never kept (analytics.risk_table).
NOT_VERSIONED |= {"risk_ranking", "risk_ranking_runs"}


@pytest.fixture(scope="module")
def url(new_database):
    return new_database("cache")


@pytest.fixture(scope="module")
def db(url):
    eng = make_engine(url, pool_size=2)
    load(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def app(db, url):
    with TestClient(create_app(Settings(database_url=url))) as client:
        yield client


def _version(db) -> int:
    with db.connect() as conn:
        return conn.execute(text("SELECT version FROM data_version")).scalar_one()


def _codes(r) -> list[str]:
    return [i["hazard_code"] for i in r.json()["items"]]


def test_second_request_is_served_from_the_cache(app):
    h = auth_headers(app.app, "supervisor")
    first = app.get(OVERDUE, params=D, headers=h)
    second = app.get(OVERDUE, params=D, headers=h)
    assert first.headers["x-cache"] == "miss"
    assert second.headers["x-cache"] == "hit"
    assert second.content == first.content
    assert second.headers["content-type"] == "application/json"
    # HA-3 (general, found 01-31, due 04-30, rectified only 06-05) and HA-2 (major, found 05-23,
    # due 05-30) are past their deadline on 05-31.
    assert _codes(second) == ["HA-3", "HA-2"]


def test_a_committed_write_invalidates_every_answer(app, db):
    h = auth_headers(app.app, "supervisor")
    assert _codes(app.get(OVERDUE, params=D, headers=h)) == ["HA-3", "HA-2"]
    with db.begin() as conn:  # HA-3 now rectified on 05-20, before D: no longer overdue
        conn.execute(
            text("UPDATE hazards SET rectified_on = '2026-05-20' WHERE hazard_code = 'HA-3'")
        )
    r = app.get(OVERDUE, params=D, headers=h)
    assert r.headers["x-cache"] == "miss"
    assert _codes(r) == ["HA-2"]
    with db.begin() as conn:
        conn.execute(
            text("UPDATE hazards SET rectified_on = '2026-06-05' WHERE hazard_code = 'HA-3'")
        )
    assert _codes(app.get(OVERDUE, params=D, headers=h)) == ["HA-3", "HA-2"]


def test_version_moves_once_per_transaction_and_only_at_commit(db):
    before = _version(db)
    with db.connect() as writer:
        tx = writer.begin()
        writer.execute(text("UPDATE units SET has_task_list = has_task_list"))
        writer.execute(text("UPDATE houses SET rooms = rooms WHERE house_code = 'JA-01'"))
        assert _version(db) == before  # not committed: other sessions still see old data
        tx.commit()
    assert _version(db) == before + 1  # two statements, two tables: one bump
    with db.connect() as writer:
        tx = writer.begin()
        writer.execute(text("UPDATE units SET has_task_list = has_task_list"))
        tx.rollback()
    assert _version(db) == before + 1
    with db.begin() as writer:  # statements that change no row (an unchanged re-import)
        writer.execute(text("UPDATE houses SET rooms = 1 WHERE false"))
        writer.execute(text("DELETE FROM hazards WHERE hazard_code = 'no such code'"))
    assert _version(db) == before + 1


def test_each_village_gets_its_own_answer(app):
    a = app.get(OVERDUE, params=D, headers=auth_headers(app.app, "village", unit="甲村"))
    b = app.get(OVERDUE, params=D, headers=auth_headers(app.app, "village", unit="乙社区"))
    again = app.get(OVERDUE, params=D, headers=auth_headers(app.app, "village", unit="乙社区"))
    assert _codes(a) == ["HA-3", "HA-2"]
    # 乙社区's only hazard HB-1 (general, found 05-31) is due 08-31: nothing overdue there.
    assert _codes(b) == [] and _codes(again) == []
    assert again.headers["x-cache"] == "hit"


def test_etag_and_no_cache(app):
    h = auth_headers(app.app, "supervisor")
    r = app.get("/analytics/table", params=D, headers=h)
    etag = r.headers["etag"]
    assert (
        app.get("/analytics/table", params=D, headers=h | {"If-None-Match": etag}).status_code
        == 304
    )
    fresh = app.get("/analytics/table", params=D, headers=h | {"Cache-Control": "no-cache"})
    assert fresh.headers["x-cache"] == "miss" and fresh.content == r.content


def test_police_reads_from_the_cache_are_audited_too(app, db):
    h = auth_headers(app.app, "police")

    def reads() -> int:
        with db.connect() as conn:
            return conn.execute(
                text(
                    "SELECT count(*) FROM audit_log"
                    " WHERE action = 'read' AND table_name = 'incidents'"
                )
            ).scalar_one()

    before = reads()
    first = app.get("/analytics/incidents/units", params=D, headers=h)
    second = app.get("/analytics/incidents/units", params=D, headers=h)
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("miss", "hit")
    assert reads() == before + 2


def test_every_data_table_bumps_the_version(db):
    with db.connect() as conn:
        triggered = set(
            conn.execute(
                text(
                    "SELECT tgrelid::regclass::text FROM pg_trigger"
                    " WHERE tgname LIKE 'data_change_mark%'"
                    " GROUP BY 1 HAVING count(*) = 4"  # insert, update, delete, truncate
                )
            ).scalars()
        )
    assert triggered == set(Base.metadata.tables) - NOT_VERSIONED


def test_feature_pages_are_cached_per_server_address(app):
    h = auth_headers(app.app, "supervisor")
    path = "/ogc/collections/houses/items"
    first = app.get(path, params={"limit": 2}, headers=h)
    again = app.get(path, params={"limit": 2}, headers=h)
    other = app.get(f"http://gis.example{path}", params={"limit": 2}, headers=h)
    assert (first.headers["x-cache"], again.headers["x-cache"]) == ("miss", "hit")
    # 4 (甲村) + 12 (乙社区) + 1 (丁村) houses: two per page, so a `next` link exists.
    assert first.json()["numberMatched"] == 17
    assert again.json() == first.json()
    assert other.headers["x-cache"] == "miss"
    assert all(link["href"].startswith("http://gis.example/") for link in other.json()["links"])


def test_cache_commands(app, url, monkeypatch):
    app.get(OVERDUE, params=D, headers=auth_headers(app.app, "leader"))
    monkeypatch.setenv("DATABASE_URL", url)
    runner = CliRunner()
    res = runner.invoke(cli_app, ["cache", "status", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["answers"] >= 1
    assert runner.invoke(cli_app, ["cache", "clear"]).exit_code == 0
    assert json.loads(runner.invoke(cli_app, ["cache", "status", "--json"]).stdout)["answers"] == 0
    again = app.get(OVERDUE, params=D, headers=auth_headers(app.app, "leader"))
    assert again.headers["x-cache"] == "miss"
