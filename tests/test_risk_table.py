"""The maintained risk ranking (analytics.risk_table, migration 0017) on the hand-made town of
analytics_data (D = 2026-05-31) plus incidents: what the table serves is what the live
computation answers, for every audience; a background refresh follows an import; a ranking
read while data changed says so; other days are computed live.

By hand, with the packaged weights (see test_risk.py): YB-03 holds 1 room, 1 bed, 0 tenants,
no CCTV record, so it scores 0. Imported with 30 tenants of whom 0 registered it needs CCTV
(30 ≥ 10 tenants) and has none: 3 points; tenant gap 30 capped at 20 × 0.3 = 6 points;
score 3 + 6 = 9.0 — between YB-02 (9.0, ties broken by house code: YB-02 < YB-03) and
YB-01 (6.0).
"""

import time
from datetime import UTC, date, datetime

import psycopg2
import pytest
from analytics_data import D, add_incidents, load
from sqlalchemy import text

from etl.context import ImportOptions
from etl.importer import import_file
from geo_service.analytics import risk_table
from geo_service.analytics.risk import load_risk_weights, risk
from geo_service.analytics.risk_refresh import RiskRefresher
from geo_service.clock import town_tz
from geo_service.domain.rules import load_rule_params
from geo_service.scope import make_scope

P = load_rule_params()
W = load_risk_weights()
INCIDENTS = [
    # JA-03 stands at (120.006, 31.708). Three in April in one cell: leaders count them on the
    # fixed grid; the police count those within 200 m over 365 days.
    ("R-1", "2026-04-10 10:00+08", 120.006, 31.7085),
    ("R-2", "2026-04-11 10:00+08", 120.0062, 31.7083),
    ("R-3", "2026-04-12 10:00+08", 120.0058, 31.7082),
]
ROLES = {"exact": None, "coarse": "geo_api_leader", "none": "geo_api_admin"}


@pytest.fixture(scope="module")
def town(engine, db_url):
    load(engine)
    with engine.begin() as c:
        add_incidents(c, INCIDENTS)
    return engine


def _report(engine, role, **scope):
    limit = scope.pop("limit", 100)
    min_score = scope.pop("min_score", None)
    with engine.connect() as c:
        if role:
            c.execute(text(f"SET ROLE {role}"))
        r = risk(c, make_scope(**({"as_of": D} | scope)), P, W, limit=limit, min_score=min_score)
        c.rollback()
    return r


def _live(engine, role, **scope):
    """The same question with the maintained ranking out of the way (rolled back after)."""
    limit = scope.pop("limit", 100)
    min_score = scope.pop("min_score", None)
    with engine.connect() as c:
        c.execute(text("DELETE FROM risk_ranking_runs"))
        if role:
            c.execute(text(f"SET ROLE {role}"))
        r = risk(c, make_scope(as_of=D, **scope), P, W, limit=limit, min_score=min_score)
        c.rollback()
    return r


def _answer(r):
    return (
        r.houses_scored,
        [(h.rank, h.house_code, h.unit, h.score, h.factors, h.top_factors) for h in r.houses],
    )


@pytest.mark.parametrize("scope", [{}, {"unit": ["乙社区"]}, {"min_score": 4.7, "limit": 4}])
def test_served_ranking_is_the_live_one_for_every_audience(town, scope):
    risk_table.refresh(town, P, W.params(), D, force=True)
    for audience, role in ROLES.items():
        served = _report(town, role, **dict(scope))
        live = _live(town, role, **dict(scope))
        assert served.maintained and not served.stale and not live.maintained, audience
        assert _answer(served) == _answer(live), audience
    # the audiences differ where they should: the police count R-1..R-3 near JA-03 (3 × 0.5)
    exact = {h.house_code: h.score for h in _report(town, None).houses}
    none = {h.house_code: h.score for h in _report(town, "geo_api_admin").houses}
    assert exact["JA-03"] - none["JA-03"] == pytest.approx(1.5)


def test_other_days_and_hazard_filters_are_computed_live(town):
    risk_table.refresh(town, P, W.params(), D, force=True)
    assert not _report(town, None, as_of=date(2026, 5, 30)).maintained
    assert not _report(town, None, severity=["major"]).maintained
    assert _report(town, None, unit=["甲村"]).maintained  # a houses filter: the table answers


def test_a_write_marks_the_ranking_stale_until_refreshed(town):
    risk_table.refresh(town, P, W.params(), D, force=True)
    first = _report(town, None)
    with town.begin() as c:
        c.execute(text("UPDATE houses SET electricity_kwh_month = 5 WHERE house_code = 'DD-01'"))
    stale = _report(town, None)
    assert stale.maintained and stale.stale and stale.computed_at == first.computed_at
    run = risk_table.refresh(town, P, W.params(), D)  # stale: refreshed without force
    assert run is not None and run.computed_at > first.computed_at
    fresh = _report(town, None)
    assert not fresh.stale and fresh.computed_at == run.computed_at
    assert risk_table.refresh(town, P, W.params(), D) is None  # current: nothing to do


def _import_houses(db_url, tmp_path, tenants: int):
    """A 台账 of one house, YB-03, as stored but for its tenants (none of them registered)."""
    csv = tmp_path / "群租房.csv"
    csv.write_text(
        "房屋编号,所属单位,地址,出租人,出租居室数,床位数,租住人数,已登记租住人数,是否登记,"
        f"是否签订治安责任保证书\nYB-03,乙社区,乙社区YB-03号,房东,1,1,{tenants},0,是,否\n",
        encoding="utf-8",
    )
    conn = psycopg2.connect(db_url)
    try:
        result = import_file(conn, csv, ImportOptions(actor="tester", today=D))
    finally:
        conn.close()
    assert not result.rolled_back and not result.rejections, result.rejections


def _wait_refreshed(engine, after, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as c:
            run = risk_table.run_of(c, "exact")
        if run and not run.stale and (after is None or run.computed_at > after):
            return run
        time.sleep(0.1)
    raise AssertionError("the ranking was not refreshed in time")


def test_background_refresh_after_an_import_even_while_another_holds_the_lock(
    town, db_url, tmp_path
):
    risk_table.refresh(town, P, W.params(), D, force=True)
    with town.connect() as c:
        before = risk_table.run_of(c, "exact").computed_at
    assert "YB-03" not in [h.house_code for h in _report(town, None, limit=6).houses]
    refresher = RiskRefresher(town, P, W.params(), lambda: D, poll_s=0.1).start()
    try:
        # A refresh elsewhere holds the lock (another server worker): the import committed
        # meanwhile must still be ranked once it is released — no refresh is lost.
        with town.connect().execution_options(isolation_level="AUTOCOMMIT") as lock:
            lock.execute(text("SELECT pg_advisory_lock(:k)"), {"k": risk_table._LOCK_KEY})
            _import_houses(db_url, tmp_path, tenants=30)
            time.sleep(0.5)  # several polls while locked
            with town.connect() as c:
                assert risk_table.run_of(c, "exact").stale
            lock.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": risk_table._LOCK_KEY})
        _wait_refreshed(town, before)
    finally:
        refresher.stop()
    r = _report(town, None, limit=6)
    assert r.maintained and not r.stale
    assert [(h.house_code, h.score) for h in r.houses][3:6] == [
        ("YB-02", 9.0),
        ("YB-03", 9.0),  # 30 tenants, none registered: CCTV 3 + gap 20 × 0.3
        ("YB-01", 6.0),
    ]


def test_api_says_when_the_ranking_was_computed(town, db_url):
    from access_helpers import auth_headers
    from fastapi.testclient import TestClient

    from geo_service.api.app import create_app
    from geo_service.config import Settings

    with town.begin() as c:  # stale, as after an import: the app's own refresher catches up
        c.execute(text("UPDATE houses SET electricity_kwh_month = 6 WHERE house_code = 'DD-01'"))
    noon_on_d = lambda: datetime(2026, 5, 31, 4, 0, tzinfo=UTC)  # noqa: E731 (12:00 in the town)
    app = create_app(Settings(database_url=db_url, risk_refresh_poll_s=0.1), clock=noon_on_d)
    with TestClient(app) as client:
        run = _wait_refreshed(town, None)
        for role in ("police", "leader", "admin"):
            r = client.get("/analytics/risk", headers=auth_headers(app, role))
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["maintained"] is True and body["stale"] is False, role
            assert datetime.fromisoformat(body["computed_at"]) == run.computed_at, role
            assert body["filters"]["as_of"] == "2026-05-31"
            # never kept by the response cache: the next refresh would not be seen
            again = client.get("/analytics/risk", headers=auth_headers(app, role))
            assert again.headers.get("x-cache") != "hit"
        other = client.get(
            "/analytics/risk", params={"as_of": "2026-05-30"}, headers=auth_headers(app, "police")
        ).json()
        assert other["maintained"] is False


def test_cli_refresh_then_serves_from_the_table(town, db_url):
    from typer.testing import CliRunner

    from geo_service.cli import app as cli_app
    from geo_service.clock import town_today

    env = {"DATABASE_URL": db_url}
    first = CliRunner().invoke(cli_app, ["risk", "--refresh"], env=env)
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(cli_app, ["risk", "--refresh"], env=env)
    assert "风险排名已是最新" in again.output  # nothing written since: nothing to do
    with town.connect() as c:
        run = risk_table.run_of(c, "exact")
    assert run.as_of == town_today()
    shown = CliRunner().invoke(cli_app, ["risk", "--limit", "3"], env=env, terminal_width=200)
    assert shown.exit_code == 0, shown.output
    at = run.computed_at.astimezone(town_tz()).strftime("%Y-%m-%d %H:%M")
    assert f"风险排名计算于 {at}" in shown.output
