"""Benchmark (not a test): review-phase patrol routes on the demo town.

300 targets, 6 teams, one day (08:30–17:30), shared depot at the town government. Measures the
end-to-end planning time (selection + topology check + snapping + matrix + VROOM + road
geometry) and compares the plan's total driving time with VROOM and OR-Tools (60 s guided
local search) solving the exported instance on their own.

    .venv/bin/python bench/routes_bench.py [--targets 300] [--teams 6] [--ortools-seconds 60]

Uses DATABASE_URL's server, or the local cluster (started if needed), and a database named
`routes_bench` there holding the demo town (seed 7, scale 1, as of 2026-11-15), created and
loaded on first use. The plan is rolled back: the benchmark leaves no plan behind.
"""

import argparse
import json
import os
import time
from collections import Counter
from datetime import date

from geo_service import migrate
from geo_service.config import Settings
from geo_service.db import database_url, make_engine
from geo_service.demo import load_demo
from geo_service.domain.rules import load_rule_params
from geo_service.localdb import ensure_database
from geo_service.patrol import network
from geo_service.patrol.config import load_route_params
from geo_service.patrol.ortools_solver import solve_ortools
from geo_service.patrol.plan import PlanRequest, plan_routes
from geo_service.patrol.solver import solve_vroom

AS_OF = date(2026, 11, 15)
BENCH_DB = "routes_bench"


def bench_database() -> str:
    """URL of the benchmark database, created, migrated and loaded with the demo if needed."""
    server = database_url(Settings(), start=True)
    url = ensure_database(server.rsplit("/", 1)[0], BENCH_DB)
    migrate.upgrade(url)
    load_demo(url, seed=7, scale=1.0, as_of=AS_OF)
    return url


def _served(routes: list[dict], key: str) -> int:
    return sum(len(r[key]) for r in routes)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--targets", type=int, default=300)
    ap.add_argument("--teams", type=int, default=6)
    ap.add_argument("--ortools-seconds", type=int, default=60)
    args = ap.parse_args()

    url = bench_database()
    load0 = os.getloadavg()
    engine = make_engine(url, pool_size=1)
    params, rules = load_route_params(), load_rule_params()
    with engine.begin() as conn:
        t0 = time.perf_counter()
        network.ensure_topology(conn, params, force=True)
        topology_s = time.perf_counter() - t0

    req = PlanRequest(AS_OF, args.teams, max_targets=args.targets)
    with engine.connect() as conn, conn.begin() as tx:
        t0, c0 = time.perf_counter(), time.process_time()
        plan, instance = plan_routes(conn, req, params, rules)
        end_to_end = time.perf_counter() - t0
        # CPU seconds of this process (all threads; PostgreSQL's work is not included): on a
        # shared, loaded machine a steadier measure than the wall clock.
        cpu = time.process_time() - c0
        tx.rollback()
    engine.dispose()

    with open("/tmp/routes_bench_instance.json", "w", encoding="utf-8") as f:
        json.dump(instance, f)
    t0 = time.perf_counter()
    vroom_again = solve_vroom(instance, exploration_level=5, threads=2)
    vroom_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    ortools = solve_ortools(instance, time_limit_s=args.ortools_seconds)
    ortools_s = time.perf_counter() - t0

    # Driving time on the same work: the plan's own stops, all mandatory, ordered by OR-Tools.
    served = set(plan.stop_house_ids())
    same_stops = {**instance, "jobs": [j for j in instance["jobs"] if j["id"] in served]}
    t0 = time.perf_counter()
    ortools_same = solve_ortools(same_stops, time_limit_s=args.ortools_seconds)
    ortools_same_s = time.perf_counter() - t0

    totals = plan.totals
    jobs = len(instance["jobs"])
    prio = {j["id"]: j["priority"] for j in instance["jobs"]}
    vroom_prio = sum(prio[s["id"]] for r in vroom_again["routes"] for s in r["steps"] if "id" in s)
    rows = [
        (
            "plan (VROOM in the planner)",
            plan.cost,
            totals.stops,
            totals.priority_served,
            end_to_end,
        ),
        (
            "VROOM on the exported instance",
            vroom_again["summary"]["cost"],
            jobs - len(vroom_again["unassigned"]),
            vroom_prio,
            vroom_s,
        ),
        (
            f"OR-Tools GLS {args.ortools_seconds} s on the exported instance",
            ortools["cost"],
            _served(ortools["routes"], "jobs"),
            ortools["priority"],
            ortools_s,
        ),
        (
            f"OR-Tools GLS {args.ortools_seconds} s on the plan's own stops",
            ortools_same["cost"],
            _served(ortools_same["routes"], "jobs"),
            ortools_same["priority"],
            ortools_same_s,
        ),
    ]
    print(f"demo town as of {AS_OF}: {totals.targets} targets chosen, {args.teams} teams")
    print(f"instance: {jobs} jobs, {len(instance['matrices']['car']['durations'])} locations")
    print(f"topology build (first use, forced): {topology_s:.2f} s")
    print(f"end-to-end plan: {end_to_end:.2f} s wall, {cpu:.2f} s CPU in this process")
    print(f"stages (ms): {plan.timings_ms}")
    print(f"load average before/after: {load0} / {os.getloadavg()}")
    print(f"solver: {plan.solver.model_dump()}")
    reasons = Counter(u.reason for u in plan.unassigned)
    print(f"distance driven: {totals.distance_m / 1000:.1f} km; unassigned {dict(reasons)}")
    print()
    print("| solver | driving time (s) | stops served | priority served | time (s) |")
    print("|---|---:|---:|---:|---:|")
    for name, cost, served, priority, seconds in rows:
        print(f"| {name} | {cost} | {served} | {priority} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
