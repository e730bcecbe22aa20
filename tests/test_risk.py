"""Risk ranking on the hand-made town plus incidents and electricity use; scores by hand from
the packaged weights (risk_weights.toml): open major 3 (cap 5), overdue 4 (cap 5), CCTV 3,
fire-kit item 1, 城中村 1.5, self-built 2, dangerous house 5, tenant gap 0.3 (cap 20),
incident 0.5 (200 m, 365 days), electricity 2 × (kWh / (100 + 80 × registered) − 1.5)."""

from importlib import resources

import pytest
from analytics_data import D, add_incidents, load
from sqlalchemy import text

from geo_service.analytics.risk import load_risk_weights, risk
from geo_service.domain.rules import load_rule_params
from geo_service.errors import ValidationError
from geo_service.scope import make_scope

P = load_rule_params()

INCIDENTS = [
    # code, when, lon, lat — JA-03 stands at (120.006, 31.708)
    ("I-1", "2026-05-01 10:00+08", 120.006, 31.7089),  # ≈100 m north of JA-03: counts
    ("I-2", "2026-05-01 10:00+08", 120.006, 31.7117),  # ≈410 m: too far
    ("I-3", "2025-01-01 10:00+08", 120.006, 31.7085),  # near, but > 365 days before D
    ("I-4", "2026-06-01 10:00+08", 120.006, 31.7085),  # near, but after D
]


@pytest.fixture(scope="module")
def conn(engine):
    load(engine)
    with engine.begin() as c:
        add_incidents(c, INCIDENTS)
        c.execute(
            text(
                "UPDATE houses SET is_self_built = true, electricity_kwh_month = 1000 "
                "WHERE house_code = 'JA-03'"
            )
        )
    with engine.connect() as c:
        yield c


def _points(house):
    return {f.code: f.points for f in house.factors if f.points}


def test_ranking_by_hand(conn):
    r = risk(conn, make_scope(as_of=D), P, load_risk_weights(), limit=7)
    assert r.houses_scored == 17
    assert [(h.house_code, h.score) for h in r.houses] == [
        ("JA-01", 12.1),  # 2 open major × 3 + 1 overdue × 4 + 城中村 1.5 + gap 2 × 0.3
        ("JA-04", 11.0),  # open major HA-6 3 + dangerous 5 + CCTV missing 3
        ("JA-02", 9.5),  # overdue HA-3 4 + CCTV 29 days 3 + no masks 1 + 城中村 1.5
        ("YB-02", 9.0),  # gap 51 capped at 20 × 0.3 = 6 + CCTV missing 3
        ("YB-01", 6.0),  # gap 450 capped at 20 × 0.3 = 6
        ("JA-03", 4.7),  # self-built 2 + gap 4 × 0.3 + 1 incident 0.5 + electricity 1.0
        ("DD-01", 3.3),  # CCTV missing 3 + gap 1 × 0.3
    ]
    ja01 = r.houses[0]
    assert _points(ja01) == pytest.approx(
        {"open_major_hazards": 6, "overdue_hazards": 4, "key_area": 1.5, "tenant_gap": 0.6}
    )
    assert [f.code for f in ja01.top_factors] == [
        "open_major_hazards",
        "overdue_hazards",
        "key_area",
    ]
    assert ja01.top_factors[2].detail == "城中村"
    # min_score 9.5 keeps JA-01, JA-04, JA-02 (9.5 itself included); houses_scored is all 17
    top = risk(conn, make_scope(as_of=D), P, load_risk_weights(), limit=50, min_score=9.5)
    assert [h.house_code for h in top.houses] == ["JA-01", "JA-04", "JA-02"]
    assert top.houses_scored == 17


def test_incidents_and_electricity(conn):
    r = risk(conn, make_scope(as_of=D, unit=["甲村"]), P, load_risk_weights(), limit=10)
    ja03 = next(h for h in r.houses if h.house_code == "JA-03")
    by = {f.code: f for f in ja03.factors}
    assert by["incidents"].value == 1  # only I-1: I-2 too far, I-3 too old, I-4 after D
    assert by["incidents"].detail == "200 米内近 365 天警情 1 起"
    # expected 100 + 80 × 5 registered = 500 kWh; 1000 / 500 = 2.0; 2.0 − 1.5 = 0.5; × 2 = 1.0
    assert by["electricity"].value == pytest.approx(0.5)
    assert by["electricity"].points == pytest.approx(1.0)
    assert [f.code for f in ja03.top_factors] == ["self_built", "tenant_gap", "electricity"]


def test_weights_file_changes_the_order(conn, tmp_path):
    src = resources.files("geo_service.analytics").joinpath("risk_weights.toml").read_text("utf-8")
    f = tmp_path / "w.toml"
    f.write_text(
        src.replace("[self_built]               # 农村自建房 flag on the house (0/1)\nweight = 2.0",
                    "[self_built]\nweight = 10.0"),
        encoding="utf-8",
    )  # fmt: skip
    r = risk(conn, make_scope(as_of=D), P, load_risk_weights(f), limit=1)
    assert (r.houses[0].house_code, r.houses[0].score) == ("JA-03", 12.7)  # 4.7 − 2 + 10
    bad = tmp_path / "bad.toml"
    bad.write_text("top_factors = 3\n", encoding="utf-8")
    with pytest.raises(ValidationError):
        load_risk_weights(bad)
