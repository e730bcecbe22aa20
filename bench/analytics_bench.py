"""Benchmark of the analytics endpoints at demo scale (not a test; run by hand).

    .venv/bin/python bench/analytics_bench.py --scale 100 [--runs 9] [--url URL]

Without --url it uses the configured server (DATABASE_URL, else the local cluster) and a
database of its own, `bench_analytics_s<scale>`, created, migrated and loaded with
`demo load --scale S` on first use and reused afterwards. Each analytic is called once to warm
up, then --runs times as the endpoint runs it (SQL, Python, JSON/xlsx encoding; no HTTP and no
access-control role, which needs a signed-in user), and p50/p95 are printed. Goal (issue 4):
scores and the 附件2 table for all units under 2 s.
"""

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date

from sqlalchemy import text

from geo_service import migrate
from geo_service.analytics.cctv import cctv
from geo_service.analytics.overdue import overdue
from geo_service.analytics.risk import load_risk_weights, risk
from geo_service.analytics.scores import scores
from geo_service.analytics.table import table_rows
from geo_service.analytics.table_xlsx import workbook_bytes
from geo_service.clock import town_today
from geo_service.config import Settings
from geo_service.db import database_url, make_engine
from geo_service.demo.loader import load_demo
from geo_service.domain.rubric import load_rubric
from geo_service.domain.rules import load_rule_params
from geo_service.localdb import ensure_database
from geo_service.scope import make_scope


def _calls(conn, as_of: date) -> list[tuple[str, Callable[[], bytes]]]:
    """(label, call) pairs: each runs one analytic and encodes it as the API would."""
    f = make_scope(as_of=as_of)
    rules, rubric = load_rule_params(), load_rubric()

    def js(report) -> bytes:
        return report.model_dump_json().encode()

    return [
        ("scores", lambda: js(scores(conn, f, rules, rubric))),
        ("scores records=false", lambda: js(scores(conn, f, rules, rubric, records=False))),
        ("table (JSON)", lambda: js(table_rows(conn, f, rules))),
        ("table (.xlsx)", lambda: workbook_bytes(table_rows(conn, f, rules))),
        # The API's default first page (1,000 items); the counts are over every item.
        ("overdue, first page", lambda: js(overdue(conn, f, rules, limit=1000))),
        ("overdue due_within=7, first page", lambda: js(overdue(conn, f, rules, 7, 1000))),
        ("cctv, first page", lambda: js(cctv(conn, f, rules, limit=1000))),
        ("risk top 100", lambda: js(risk(conn, f, rules, load_risk_weights(), limit=100))),
    ]


GOAL_S = 2.0
GOAL_NAMES = ("scores", "table (JSON)", "table (.xlsx)")


def _bench_db(scale: float) -> str:
    server = database_url(Settings(), start=True)
    name = f"bench_analytics_s{str(scale).replace('.', '_')}"
    url = ensure_database(server.rsplit("/", 1)[0], name)
    migrate.upgrade(url)
    return url


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=100.0)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--url", help="a database already loaded with the demo town")
    ap.add_argument("--skip", action="append", default=[], help="endpoint label to skip")
    args = ap.parse_args()

    url = args.url or _bench_db(args.scale)
    if not args.url:
        t0 = time.perf_counter()
        res = load_demo(url, seed=7, scale=args.scale, progress=True)
        if res.loaded:
            print(f"demo loaded at scale {args.scale} in {time.perf_counter() - t0:.0f} s")
    engine = make_engine(url, pool_size=2)
    with engine.connect() as conn:
        counts = {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("units", "houses", "hazards", "incidents")
        }
        as_of_raw = conn.execute(
            text("SELECT value ->> 'as_of' FROM meta WHERE key = 'dataset'")
        ).scalar()
    engine.dispose()
    as_of = as_of_raw or town_today().isoformat()
    print(f"data: {counts}; as_of {as_of}; {args.runs} runs after 1 warm-up")

    results = []
    engine = make_engine(url, pool_size=1)
    with engine.connect() as conn:
        for label, call in _calls(conn, date.fromisoformat(as_of)):
            if label in args.skip:
                continue
            call()
            conn.rollback()
            times = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                body = call()
                times.append(time.perf_counter() - t0)
                conn.rollback()  # each call in its own transaction, as a request is
            results.append((label, times, len(body)))
    engine.dispose()

    print(f"\n{'analytic':24} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} {'bytes':>11}")
    ok = True
    for label, times, size in results:
        p50, p95 = statistics.median(times), _percentile(times, 0.95)
        print(f"{label:24} {p50 * 1e3:9.0f} {p95 * 1e3:9.0f} {max(times) * 1e3:9.0f} {size:11,}")
        if label in GOAL_NAMES and p95 >= GOAL_S:
            ok = False
    print(
        f"\ngoal: scores and table for all units p95 < {GOAL_S:.0f} s → {'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
