"""The event ledger's exactness at bench scale (docs/ledger.md): the ledger's per-unit counts
and the codes behind each deduction equal the direct SQL's, on every unit, three days and the
filters. The test suite checks the same on a small town (tests/test_ledger.py); here it is
the city."""

import time
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import create_engine

from bench.env import AS_OF

DAYS = (AS_OF, date(2026, 10, 31), date(2026, 9, 30))
KINDS = ("urban_village", "old_estate", "resettlement_estate", "rural_self_built", "campus")
FILTERS: tuple[dict, ...] = (
    {},
    {"severities": ("major",)},
    {"statuses": ("overdue",)},
    {"statuses": ("open", "rectified")},
    {"category_groups": ("fire",)},
    {"departments": ("派出所",)},
    *({"key_area_kinds": (k,)} for k in KINDS),
)


@dataclass
class Result:
    questions: int
    seconds: float
    differences: list[str] = field(default_factory=list)


def run(db_url: str) -> Result:
    from geo_service.analytics import ledger
    from geo_service.domain.rules import load_rule_params
    from geo_service.scope import Scope

    rules = load_rule_params()
    eng = create_engine(db_url.replace("postgresql://", "postgresql+psycopg2://", 1))
    t0 = time.perf_counter()
    found: list[str] = []
    try:
        with eng.connect() as conn:
            for day in DAYS:
                for f in FILTERS:
                    found += ledger.differences(conn, Scope(as_of=day, **f), rules)
                    conn.rollback()
    finally:
        eng.dispose()
    return Result(len(DAYS) * len(FILTERS), time.perf_counter() - t0, found)


def markdown(r: Result) -> list[str]:
    days = ", ".join(d.isoformat() for d in DAYS)
    verdict = "equal" if not r.differences else f"**{len(r.differences)} differences**"
    out = [
        "## Event ledger exactness",
        "",
        f"Ledger vs direct SQL, every unit, days {days}, {len(FILTERS)} filters (none, "
        "severity, status, category group, department, each key-area kind), counts and the "
        f"codes behind each deduction: {r.questions} questions, {verdict} "
        f"({r.seconds:.0f} s).",
        "",
    ]
    out += [f"- {d}" for d in r.differences[:20]]
    return out
