"""The learned risk model (docs/risk.md) on real PostGIS.

- No leakage: a house whose later records (figures, hazards, inspections, incidents) would
  change its features is described, for a past inspection, by what was recorded before that
  day — worked out by hand below.
- A town whose outcomes follow its houses (a hidden rule the model is never told) shows lift;
  the same town with the outcomes shuffled shows none.
- The commands: `risk train`, `risk backtest --json`, `risk explain HOUSE`, `risk` saying
  which method ranks; too little history keeps the weights and says why.
"""

import json
from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from geo_service.analytics.risk import load_risk_weights
from geo_service.cli import app as cli_app
from geo_service.db import make_engine
from geo_service.domain.rules import load_rule_params
from geo_service.errors import ValidationError
from geo_service.learn.features import inspection_features, one_house_features, weights_scores
from geo_service.learn.ranking import explain_rows, fitted
from geo_service.learn.train import history, run_backtest

P = load_rule_params()
W = load_risk_weights()
VILLAGE = "MULTIPOLYGON(((120.00 31.70,120.05 31.70,120.05 31.74,120.00 31.74,120.00 31.70)))"
URBAN = "MULTIPOLYGON(((120.00 31.70,120.025 31.70,120.025 31.74,120.00 31.74,120.00 31.70)))"


def _village(conn) -> int:
    conn.execute(
        text(
            "INSERT INTO units (name, kind, geom) VALUES "
            "('甲村', 'village', ST_GeomFromText(:g, 4326))"
        ),
        {"g": VILLAGE},
    )
    conn.execute(
        text(
            "INSERT INTO key_areas (kind, name, geom) "
            "VALUES ('urban_village', '甲村城中村', ST_GeomFromText(:g, 4326))"
        ),
        {"g": URBAN},
    )
    return conn.execute(text("SELECT id FROM units WHERE name = '甲村'")).scalar_one()


def _cli(url: str, *args: str):
    return CliRunner().invoke(cli_app, list(args), env={"DATABASE_URL": url})


# --- No leakage: one house, by hand ------------------------------------------------------

# House L-1 (甲村, in the urban village) stands at (120.01, 31.71); L-2, ~100 m east, is its
# neighbour. The inspection under test is L-1's on 2026-05-10 (E); the day before is 05-09.
#
#   figures      4 rooms / 4 beds / 5 tenants / 5 registered until 2026-06-01, then (a later
#                record, effective 06-01) 20 tenants / 2 registered
#   hazards      H-1 lpg_cylinder major found 04-01, rectified 06-15 (open on 05-09; due
#                04-01 + 7 = 04-08, so overdue on 05-09)
#                H-2 ebike general found 05-10 by E itself (its outcome: not a feature)
#                H-3 open_flame major found 07-01 (later)
#                H-4 at L-2 ebike general found 03-01 (a neighbour's, 70 days before: counts)
#                H-5 at L-2 found 05-10 (the same day: does not)
#   inspections  L-1 on 03-01 (found nothing), E 05-10 (found H-2), 08-01 (found nothing);
#                L-2 on 04-20 (found something) and 05-10 (found H-5), all by 甲村网格员 (自查)
#   incidents    3 at L-1 on 04-10 (the whole months before May: Feb–Apr, a cell of 3 counts)
#                3 at L-1 on 05-20 (after E) and 3 on 09-15 (later still)
E = date(2026, 5, 10)


@pytest.fixture(scope="module")
def small_url(new_database):
    url = new_database("riskleak")
    eng = make_engine(url, pool_size=1)
    with eng.begin() as c:
        unit = _village(c)
        for code, lon in (("L-1", 120.01), ("L-2", 120.01106)):
            c.execute(
                text(
                    "INSERT INTO houses (house_code, unit_id, address, landlord_name, rooms, "
                    "beds, tenants, registered_tenants, is_registered, pledge_signed, "
                    "has_smoke_masks, has_torches, has_extinguishers, geom) VALUES (:c, :u, "
                    "'甲村' || :c, '房东', 4, 4, 5, 5, true, true, true, true, true, "
                    "ST_SetSRID(ST_MakePoint(:x, 31.71), 4326))"
                ),
                {"c": code, "u": unit, "x": lon},
            )
        ids = dict(c.execute(text("SELECT house_code, id FROM houses")).all())
        insp = {}
        for house, day, found in (
            ("L-1", date(2026, 3, 1), False),
            ("L-1", E, True),
            ("L-1", date(2026, 8, 1), False),
            ("L-2", date(2026, 4, 20), True),
            ("L-2", E, True),
        ):
            insp[house, day] = c.execute(
                text(
                    "INSERT INTO inspections (house_id, inspected_on, kind, unit_name, "
                    "found_hazard) VALUES (:h, :d, 'self', '甲村网格员', :f) RETURNING id"
                ),
                {"h": ids[house], "d": day, "f": found},
            ).scalar_one()
        for code, house, cat, sev, found, fixed, by in (
            ("H-1", "L-1", "lpg_cylinder", "major", "2026-04-01", "2026-06-15", None),
            ("H-2", "L-1", "ebike", "general", "2026-05-10", None, insp["L-1", E]),
            ("H-3", "L-1", "open_flame", "major", "2026-07-01", None, None),
            ("H-4", "L-2", "ebike", "general", "2026-03-01", None, None),
            ("H-5", "L-2", "ebike", "general", "2026-05-10", None, insp["L-2", E]),
        ):
            c.execute(
                text(
                    "INSERT INTO hazards (hazard_code, house_id, category, severity, found_on, "
                    "due_on, posted_on_wall, entered_in_system, rectified_on, inspection_id) "
                    "VALUES (:code, :h, :cat, :sev, :found, :found, true, true, :fixed, :i)"
                ),
                {"code": code, "h": ids[house], "cat": cat, "sev": sev, "found": found,
                 "fixed": fixed, "i": by},
            )  # fmt: skip
        for k, when in enumerate(["2026-04-10 10:00+08"] * 3 + ["2026-05-20 10:00+08"] * 3
                                 + ["2026-09-15 10:00+08"] * 3):  # fmt: skip
            c.execute(
                text(
                    "INSERT INTO incidents (incident_code, occurred_at, category, address, "
                    "geom) VALUES (:c, :t, '纠纷', 'x', ST_SetSRID(ST_MakePoint(120.01, 31.71), "
                    "4326))"
                ),
                {"c": f"J-{k}", "t": when},
            )
        # The later record: effective 06-01, L-1 holds 20 tenants, 2 of them registered.
        c.execute(text("SET LOCAL geo.effective = '2026-06-01'"))
        c.execute(
            text("UPDATE houses SET tenants = 20, registered_tenants = 2 WHERE house_code = 'L-1'")
        )
    eng.dispose()
    return url


def test_features_use_only_what_was_recorded_before_the_day(small_url):
    eng = make_engine(small_url, pool_size=1)
    with eng.connect() as c:
        frame = inspection_features(c, P, W)
        weights = weights_scores(c, P, W)
        later = one_house_features(c, "L-1", date(2026, 8, 31), P, W)
    eng.dispose()
    ev = frame[(frame["day"] == E) & (frame["house_id"] == frame["house_id"].min())]
    assert len(ev) == 1 and len(frame) == 5  # every inspection with a recorded outcome
    f = ev.iloc[0]
    assert bool(f["found_any"]) is True  # the label: E found H-2
    assert bool(f["found_major"]) is False  # H-2 is general
    expected = {
        "tenants": 5,  # the record in force on 05-09, not the later 20
        "unregistered_tenants": 0,  # 5 − 5 (later: 20 − 2 = 18)
        "tenants_per_room": 1.25,  # 5 / 4
        "cctv_violation": 0,  # 4 rooms, 4 beds, 5 tenants: none reaches 10 (later: 20 does)
        "ka_urban_village": 1,
        "hz_past": 1,  # H-1 only: H-2 is E's own finding, H-3 comes later
        "hz_past_major": 1,
        "hz_past_fire": 1,  # lpg_cylinder is a fire hazard
        "hz_open": 1,  # H-1 not rectified until 06-15
        "hz_open_major": 1,
        "hz_overdue": 1,  # due 04-08 < 05-09
        "days_since_hazard": 39,  # 05-10 − 04-01
        "inspections_past": 1,  # 03-01; not E itself, nor 08-01
        "inspections_past_hits": 0,
        "days_since_inspection": 70,  # 05-10 − 03-01
        "hazards_nearby_180d": 1,  # H-4 at L-2 (03-01); H-5 is of the same day
        "incidents_cell_3m": 3,  # the three of 04-10 (Feb–Apr); not May's, not September's
    }
    assert {k: float(f[k]) for k in expected} == pytest.approx(expected)
    # Before E the town (and the village, and the team) had two inspections, L-1's of 03-01
    # (nothing) and L-2's of 04-20 (a find): town rate 1 / 2; the village's and the team's
    # rates (1 + 20 × 0.5) / (2 + 20) = 0.5; the neighbours' (L-2's 04-20; not its 05-10, the
    # same day) (1 + 5 × 0.5) / (1 + 5) = 3.5 / 6.
    assert f["unit_hit_rate"] == pytest.approx(0.5)
    assert f["inspector_hit_rate"] == pytest.approx(0.5)
    assert f["nearby_hit_rate"] == pytest.approx(3.5 / 6)
    # The weights as they would have ranked L-1 on 05-09: open major 3 + overdue 4 + 城中村
    # 1.5 + 3 incidents within 200 m in the year before × 0.5 = 10; no CCTV duty, no tenant
    # gap yet (the later record would add CCTV 3 + gap 18 × 0.3).
    assert float(weights.set_index("event_id").loc[f["event_id"], "score"]) == pytest.approx(10)
    # The same house described for an inspection on 09-01 sees the later history.
    g = later.iloc[0]
    assert (g["tenants"], g["unregistered_tenants"], g["cctv_violation"]) == (20, 18, 1)
    assert (g["hz_past"], g["hz_open"], g["inspections_past"]) == (3, 2, 3)
    assert g["inspector_hit_rate"] == g["unit_hit_rate"] == pytest.approx((3 + 20 * 0.6) / 25)


def test_too_little_history_stays_on_the_weights_and_says_why(small_url):
    trained = _cli(small_url, "risk", "train")
    assert trained.exit_code == 0, trained.output
    assert "检查记录不足：5 次检查、3 次发现隐患" in trained.output
    assert "继续使用人工权重" in trained.output
    ranked = _cli(small_url, "risk", "--as-of", "2026-08-31", "--json")
    assert ranked.exit_code == 0, ranked.output
    method = json.loads(ranked.stdout)["method"]
    assert method["code"] == "weights" and method["model_version"] is None
    assert method["reason_zh"].startswith("检查记录不足（5 次检查、3 次发现隐患")
    shown = _cli(small_url, "risk", "--as-of", "2026-08-31")
    assert "方法 method: 人工权重（检查记录不足" in shown.output
    # Refusals are ValidationErrors: `geo-service` prints them as one line, no traceback.
    refused = _cli(small_url, "risk", "backtest")
    assert isinstance(refused.exception, ValidationError)
    assert str(refused.exception).startswith("检查记录不足：5 次检查、3 次发现隐患")
    no_model = _cli(small_url, "risk", "explain", "L-1")
    assert isinstance(no_model.exception, ValidationError)
    assert "尚无学习模型" in str(no_model.exception)


# --- Lift on a town with structure, none once the outcomes are shuffled -----------------

# 700 houses in a 35 × 20 grid over 甲村 (the west half is its urban village), each inspected
# about six times between 2026-01-05 and 2026-11-30. The hidden rule: a hazard is found with
# probability sigmoid(−3.2 + 1.6·self-built + 1.4·(no CCTV where required) + 0.35·unregistered
# tenants + 0.8·in the urban village + 1.5·no pledge), about one inspection in three. The
# pledge (保证书) is no factor of the hand weights: a model that learns beats them.
START, DAYS, HOUSES = date(2026, 1, 5), 330, 700


def _town(url: str, shuffle: bool) -> None:
    rng = np.random.default_rng(16)
    n = HOUSES
    rooms = rng.integers(3, 16, n)
    tenants = rooms + rng.integers(0, 5, n)
    unregistered = np.minimum(np.where(rng.random(n) < 0.3, rng.integers(1, 7, n), 0), tenants)
    self_built = rng.random(n) < 0.4
    cctv = rng.random(n) < 0.5
    pledge = rng.random(n) < 0.7
    col, row = np.arange(n) % 35, np.arange(n) // 35
    lon, lat = 120.001 + col * 0.0014, 31.701 + row * 0.0019
    urban = lon < 120.025
    no_cctv = ~cctv & ((rooms >= 10) | (tenants >= 10))
    logit = (
        -3.2 + 1.6 * self_built + 1.4 * no_cctv + 0.35 * unregistered + 0.8 * urban + 1.5 * ~pledge
    )
    visits = rng.poisson(6, n)
    house = np.repeat(np.arange(n), visits)
    day = rng.integers(0, DAYS, len(house))
    found = rng.random(len(house)) < 1 / (1 + np.exp(-logit[house]))
    if shuffle:
        found = rng.permutation(found)
    eng = make_engine(url, pool_size=1)
    with eng.begin() as c:
        unit = _village(c)
        c.execute(
            text(
                "INSERT INTO houses (id, house_code, unit_id, address, landlord_name, rooms, "
                "beds, tenants, registered_tenants, is_registered, pledge_signed, "
                "cctv_installed, cctv_retention_days, is_self_built, has_smoke_masks, "
                "has_torches, has_extinguishers, geom) VALUES (:id, :code, :u, :code, '房东', "
                ":rooms, :rooms, :tenants, :registered, true, :pledge, :cctv, 30, :sb, true, true, "
                "true, ST_SetSRID(ST_MakePoint(:x, :y), 4326))"
            ),
            [
                {"id": i + 1, "code": f"T-{i + 1:04d}", "u": unit, "rooms": int(rooms[i]),
                 "tenants": int(tenants[i]), "registered": int(tenants[i] - unregistered[i]),
                 "cctv": bool(cctv[i]), "sb": bool(self_built[i]), "pledge": bool(pledge[i]),
                 "x": float(lon[i]),
                 "y": float(lat[i])}
                for i in range(n)
            ],
        )  # fmt: skip
        rows = [
            {"id": k + 1, "h": int(house[k]) + 1, "d": START + timedelta(days=int(day[k])),
             "who": ["甲村网格员", "督导组第1组"][k % 2], "f": bool(found[k])}
            for k in range(len(house))
        ]  # fmt: skip
        c.execute(
            text(
                "INSERT INTO inspections (id, house_id, inspected_on, kind, unit_name, "
                "found_hazard) VALUES (:id, :h, :d, 'self', :who, :f)"
            ),
            rows,
        )
        c.execute(
            text(
                "INSERT INTO hazards (hazard_code, house_id, category, severity, found_on, "
                "due_on, posted_on_wall, entered_in_system, rectified_on, inspection_id) "
                "VALUES (:code, :h, 'ebike', 'general', :d, :d, true, true, :fixed, :id)"
            ),
            [
                r | {"code": f"Z-{r['id']}", "fixed": r["d"] + timedelta(days=20)}
                for r in rows
                if r["f"]
            ],
        )
    eng.dispose()


@pytest.fixture(scope="module")
def town_url(new_database):
    url = new_database("risktown")
    _town(url, shuffle=False)
    return url


@pytest.fixture(scope="module")
def shuffled_url(new_database):
    url = new_database("riskshuf")
    _town(url, shuffle=True)
    return url


def _backtest(url: str) -> dict:
    eng = make_engine(url, pool_size=1)
    with eng.connect() as c:
        frame = history(c, P, W)
    eng.dispose()
    return run_backtest(frame)


def test_a_town_with_structure_shows_lift(town_url):
    r = _backtest(town_url)
    assert [f["month"] for f in r["folds"]] == [f"2026-{m:02d}" for m in range(6, 12)]
    best = r["mean"]["models"][r["best"]]
    assert best["auc"] > 0.7
    assert best["lift_top10"] > 1.8  # at most 1 / base rate ≈ 2.9 here
    # The pledge the weights ignore: the model's first tenth finds more than theirs.
    assert r["beats_weights"] and best["lift_over_weights_top10"] > 1.05


def test_a_town_without_structure_shows_no_lift(shuffled_url):
    r = _backtest(shuffled_url)
    assert len(r["folds"]) == 6
    for name, m in r["mean"]["models"].items():
        assert 0.42 < m["auc"] < 0.58, name
        assert 0.6 < m["lift_top10"] < 1.4, name
    assert r["beats_weights"] is False  # so `risk train` would keep the weights


def test_commands_train_backtest_explain_and_rank(town_url):
    trained = _cli(town_url, "risk", "train")
    assert trained.exit_code == 0, trained.output
    assert "回测 back-test" in trained.output and "人工权重" in trained.output
    assert "学习模型 v1：回测胜过人工权重" in trained.output and "已启用" in trained.output

    bt = _cli(town_url, "risk", "backtest", "--json")
    assert bt.exit_code == 0, bt.output
    doc = json.loads(bt.stdout)
    assert len(doc["folds"]) == 6 and doc["best"] in ("logistic", "gbm")
    assert {"auc", "precision_top10", "hit_rate_top10", "lift_top10", "precision_top20",
            "brier", "reliability", "lift_over_weights_top10"} <= set(
        doc["mean"]["models"][doc["best"]])  # fmt: skip

    ranked = _cli(town_url, "risk", "--as-of", "2026-11-30", "--json", "--limit", "5")
    assert ranked.exit_code == 0, ranked.output
    report = json.loads(ranked.stdout)
    assert report["method"]["label_zh"] == "学习模型 v1"
    assert "高于人工权重" in report["method"]["reason_zh"]
    scores = [h["score"] for h in report["houses"]]
    assert scores == sorted(scores, reverse=True) and 0 < scores[-1] <= scores[0] < 1
    assert report["houses_scored"] == 700
    shown = _cli(town_url, "risk", "--as-of", "2026-11-30", "--limit", "3")
    assert "方法 method: 学习模型 v1（回测（近6个月）前10%查准率" in shown.output

    explained = _cli(town_url, "risk", "explain", "T-0001", "--as-of", "2026-11-30")
    assert explained.exit_code == 0, explained.output
    assert "房屋 T-0001（截至 2026-11-30）学习模型 v1" in explained.output
    assert "下次检查发现隐患的概率" in explained.output
    assert "提高风险的因素" in explained.output and "降低风险的因素" in explained.output
    missing = _cli(town_url, "risk", "explain", "NO-SUCH")
    assert isinstance(missing.exception, ValidationError)
    assert str(missing.exception) == "未找到房屋 NO-SUCH (no such house)"


def test_patrol_targets_take_the_models_top_decile_in_key_areas(town_url):
    """After `risk train`, the key-area targets come from the method in force:
    with the model, the key-area houses (the urban village, lon < 120.025) among the 70 of 700
    in the model's top 10 %."""
    from geo_service.learn.ranking import method
    from geo_service.patrol.config import load_route_params
    from geo_service.patrol.targets import key_area_risk
    from geo_service.scope import make_scope

    params = load_route_params()
    eng = make_engine(town_url, pool_size=1)
    with eng.connect() as c:
        if method(c)[0] is None:  # run alone: train first
            assert _cli(town_url, "risk", "train").exit_code == 0
        model, _ = method(c)
        risky = key_area_risk(c, make_scope(as_of=date(2026, 11, 30)), params, P, W)
        lon = dict(c.execute(text("SELECT id, ST_X(geom) FROM houses")).all())
    eng.dispose()
    assert model is not None and model.version == 1
    assert 0 < len(risky) <= 70
    assert all(lon[h] < 120.025 for h in risky)
    t = params.risk_threshold
    assert all(t <= s <= t + 10 for s in risky.values())


def test_the_api_ranks_with_the_model_and_hides_incidents_from_whom_it_must(town_url):
    """/analytics/risk after `risk train`: the method says 学习模型 v1 for every role; the
    police and the leaders get the same scores (the incident feature is the coarse cell count
    both may know); administrators get no incident line at all."""
    from access_helpers import auth_headers, secured_app
    from fastapi.testclient import TestClient

    eng = make_engine(town_url, pool_size=1)
    with eng.connect() as c:
        trained = c.execute(text("SELECT count(*) FROM risk_models WHERE active")).scalar()
    eng.dispose()
    if not trained:  # run alone: train first
        assert _cli(town_url, "risk", "train").exit_code == 0
    q = {"as_of": "2026-11-30", "limit": 20}
    with TestClient(secured_app(town_url)) as client:
        seen = {
            role: client.get("/analytics/risk", params=q, headers=auth_headers(client.app, role))
            for role in ("police", "leader", "admin")
        }
    for role, r in seen.items():
        assert r.status_code == 200, (role, r.text)
        assert r.json()["method"]["code"] == "model" and r.json()["houses_scored"] == 700
    police, leader, admin = (seen[k].json()["houses"] for k in ("police", "leader", "admin"))
    assert [(h["house_code"], h["score"]) for h in police] == [
        (h["house_code"], h["score"]) for h in leader
    ]
    assert all(len(h["factors"]) == 12 for h in police + leader + admin)  # the 12 that moved most
    assert not any(f["code"] == "incidents_cell_3m" for h in admin for f in h["factors"])
    # Explained in full (as `risk explain` does): the incident line for the police and the
    # leaders, none for the administrators; never the inspecting team's rate.
    with make_engine(town_url, pool_size=1).connect() as c:
        frame = one_house_features(c, "T-0001", date(2026, 11, 30), P, W)
        fit = fitted(c, 1)
    codes = {
        role: {f.code for f in explain_rows(fit, frame, detail)[0]}
        for role, detail in (("police", "exact"), ("leader", "coarse"), ("admin", "none"))
    }
    assert "incidents_cell_3m" in codes["police"] & codes["leader"]
    assert "incidents_cell_3m" not in codes["admin"]
    assert "inspector_hit_rate" not in codes["police"]
