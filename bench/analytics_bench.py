"""Benchmark of the analytics endpoints at demo scale (not a test; run by hand).

    .venv/bin/python bench/analytics_bench.py --scale 100 [--runs 9] [--url URL]

Without --url it uses the configured server (DATABASE_URL, else the local cluster) and a
database of its own, `bench_analytics_s<scale>`, created, migrated and loaded with
`demo load --scale S` on first use and reused afterwards. Each endpoint is called once to warm
up, then --runs times through the FastAPI app in-process (SQL, Python, JSON/xlsx encoding;
no network), and p50/p95 are printed. Goal (issue 4): scores and the 附件2 table for all
units under 2 s.
"""

import argparse
import statistics
import sys
import time
from datetime import date

import psycopg2
from fastapi.testclient import TestClient
from sqlalchemy import text

from geo_service import migrate
from geo_service.api.app import create_app
from geo_service.config import Settings
from geo_service.db import database_url, make_engine
from geo_service.demo.loader import load_demo

ENDPOINTS = (
    ("scores", "/analytics/scores", {}),
    ("table (JSON)", "/analytics/table", {}),
    ("table (.xlsx)", "/analytics/table.xlsx", {}),
    ("overdue", "/analytics/overdue", {}),
    ("overdue due_within=7", "/analytics/overdue", {"due_within": 7}),
    ("cctv", "/analytics/cctv", {}),
    ("risk top 100", "/analytics/risk", {"limit": 100}),
)
GOAL_S = 2.0
GOAL_NAMES = ("scores", "table (JSON)", "table (.xlsx)")


def _bench_db(scale: float) -> str:
    server = database_url(Settings(), start=True)
    name = f"bench_analytics_s{str(scale).replace('.', '_')}"
    admin = psycopg2.connect(server.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    url = server.rsplit("/", 1)[0] + "/" + name
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
    as_of = as_of_raw or date.today().isoformat()
    print(f"data: {counts}; as_of {as_of}; {args.runs} runs after 1 warm-up")

    results = []
    with TestClient(create_app(Settings(database_url=url))) as client:
        for label, path, extra in ENDPOINTS:
            params = {"as_of": as_of} | extra
            r = client.get(path, params=params)
            r.raise_for_status()
            times = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                r = client.get(path, params=params)
                times.append(time.perf_counter() - t0)
                r.raise_for_status()
            results.append((label, times, len(r.content)))

    print(f"\n{'endpoint':24} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} {'bytes':>11}")
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
