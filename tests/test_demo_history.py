"""The demo town's inspection history: consistent with its hazards, of every kind, with outcomes
that depend on the houses — through parameters that are stored nowhere a model could read them.
"""

import re
from pathlib import Path

import numpy as np
from sqlalchemy import text

from geo_service.demo import history
from geo_service.demo.generate import _PARTS

ROOT = Path(__file__).resolve().parent.parent


def _one(engine, sql: str):
    with engine.connect() as c:
        return c.execute(text(sql)).scalar_one()


def _all(engine, sql: str) -> list:
    with engine.connect() as c:
        return c.execute(text(sql)).all()


def _drawn(seed: int) -> dict[str, float]:
    """The hidden parameters of `seed`'s town, drawn as the generator draws them."""
    return history._draw(np.random.default_rng([seed, _PARTS.index("inspections")]))


def test_every_hazard_is_found_by_an_inspection_of_its_house_on_its_day(demo_engine):
    assert _one(demo_engine, "SELECT count(*) FROM hazards WHERE inspection_id IS NULL") == 0
    wrong = """SELECT count(*) FROM hazards z JOIN inspections i ON i.id = z.inspection_id
               WHERE i.house_id <> z.house_id OR i.inspected_on <> z.found_on
                  OR i.found_hazard IS NOT TRUE"""
    assert _one(demo_engine, wrong) == 0
    # an inspection that found something has its hazard rows; one that found nothing has none
    mismatched = """SELECT count(*) FROM inspection_events
                    WHERE found_hazard IS DISTINCT FROM (hazards_found > 0)"""
    assert _one(demo_engine, mismatched) == 0
    assert _one(demo_engine, "SELECT count(*) FROM inspection_events") == _one(
        demo_engine, "SELECT count(*) FROM inspections"
    )


def test_the_four_kinds_by_their_units(demo_engine):
    rows = _all(
        demo_engine,
        """SELECT i.kind, count(*), count(*) FILTER (WHERE i.unit_id IS NULL),
                  count(*) FILTER (WHERE i.kind = 'self' AND i.unit_id <> h.unit_id),
                  count(*) FILTER (WHERE u.kind = 'department')
           FROM inspections i JOIN houses h ON h.id = i.house_id
           LEFT JOIN units u ON u.id = i.unit_id GROUP BY i.kind""",
    )
    by_kind = {r[0]: r[1:] for r in rows}
    assert set(by_kind) == {"self", "special", "supervision", "review"}
    kinds = ("self", "special", "supervision", "review")
    n_self, n_special, n_super, n_review = (by_kind[k][0] for k in kinds)
    assert n_self > n_special > n_super and n_review > 0  # 自查 mostly
    assert by_kind["self"][1:3] == (0, 0)  # 自查: the house's own village
    assert by_kind["special"][1] == 0 and by_kind["special"][3] == n_special  # a department
    assert by_kind["supervision"][1] == n_super  # 督导组第k组: no unit of the 单位 table
    # 督导 every month of the year before as-of (2026-11-15)
    months = _one(
        demo_engine,
        "SELECT count(DISTINCT date_trunc('month', inspected_on)) FROM inspections"
        " WHERE kind = 'supervision'",
    )
    assert months >= 12
    # the sheet's natural key holds: a re-import of the demo's 检查记录 updates, never adds
    dup = """SELECT count(*) FROM (SELECT 1 FROM inspections WHERE source = 'sheet'
             GROUP BY house_id, inspected_on, kind, unit_name HAVING count(*) > 1) d"""
    assert _one(demo_engine, dup) == 0


def test_outcomes_follow_the_houses(demo_engine):
    """Crowded houses, electricity far beyond the registered tenants and revisits find more."""
    rate = """SELECT avg(e.found_hazard::int)::float FROM inspection_events e
              JOIN houses h ON h.id = e.house_id WHERE {}"""
    crowded = _one(demo_engine, rate.format("h.tenants::float / greatest(h.rooms, 1) > 1.6"))
    roomy = _one(demo_engine, rate.format("h.tenants::float / greatest(h.rooms, 1) < 1.1"))
    assert crowded > 1.5 * roomy
    power = "h.electricity_kwh_month / (40 + 56 * h.registered_tenants)"
    assert _one(demo_engine, rate.format(f"{power} > 1.8")) > 1.3 * _one(
        demo_engine, rate.format(f"{power} < 1.2")
    )
    assert _one(demo_engine, rate.format("e.kind = 'review'")) > 2 * _one(
        demo_engine, rate.format("e.kind = 'self'")
    )


def test_each_seed_draws_its_own_structure_within_the_ranges():
    a, b = _drawn(7), _drawn(8)
    assert a.keys() == b.keys() == history._RANGES.keys()
    assert all(a[k] != b[k] for k in a)
    for k, (lo, hi) in history._RANGES.items():
        assert lo <= a[k] <= hi and lo <= b[k] <= hi
    assert _drawn(7) == a  # the same seed, the same town


def test_the_hidden_parameters_are_stored_nowhere(demo_engine):
    """Not in the database — no table, column, view, function or comment names one, no stored
    JSON holds one's value — and no file but the generator's names one."""
    names = list(history._RANGES)
    drawn = _drawn(7)
    schema = " ".join(
        str(r[0])
        for q in (
            "SELECT table_name || ' ' || column_name FROM information_schema.columns"
            " WHERE table_schema = 'public'",
            "SELECT coalesce(prosrc, '') FROM pg_proc p JOIN pg_namespace n"
            " ON n.oid = p.pronamespace WHERE n.nspname = 'public'",
            "SELECT coalesce(description, '') FROM pg_description",
            "SELECT pg_get_viewdef(c.oid) FROM pg_class c JOIN pg_namespace n"
            " ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'v'",
        )
        for r in _all(demo_engine, q)
    )
    assert [n for n in names if n in schema] == []
    stored = " ".join(str(r[0]) for r in _all(demo_engine, "SELECT value::text FROM meta"))
    assert [n for n in names if n in stored] == []
    numbers = {float(x) for x in re.findall(r"-?\d+\.\d+", stored)}
    assert not any(abs(x - v) < 1e-6 for x in numbers for v in drawn.values())
    # Files: only the generator module names them (and this test, which checks it).
    mine = {ROOT / "geo_service/demo/history.py", Path(__file__).resolve()}
    pattern = re.compile("|".join(rf"\b{re.escape(n)}\b" for n in ("_RANGES", *names)))
    naming = [
        str(p.relative_to(ROOT))
        for folder in ("geo_service", "etl", "web_map", "layers", "scripts", "bench", "docs")
        for p in (ROOT / folder).rglob("*")
        if p.is_file() and p.suffix in {".py", ".sql", ".toml", ".json", ".md", ".yaml", ".yml"}
        and p not in mine and pattern.search(p.read_text("utf-8", errors="ignore"))
    ]  # fmt: skip
    assert naming == []
