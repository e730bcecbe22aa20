"""`python -m bench` (`make bench`): the city-scale benchmark suite → BENCHMARKS.md.

    .venv/bin/python -m bench                 # scale 300 (~1M houses): the result of record
    .venv/bin/python -m bench --scale 100     # a third of the city, when time is short
    .venv/bin/python -m bench --quick         # smoke run: a small town, one pass, own file
    .venv/bin/python -m bench --phases load   # re-measure one phase, keep the others' results

Phases: spatial (tiles and features beside tipg and the bare SQL), analytics, load (50 users
for 60 s), external (the import and routes benchmarks). Each run saves what it measured, so a
run of some phases rewrites BENCHMARKS.md with the last results of the others.
See docs/benchmarks.md for what each number means.
"""

import argparse
import pickle
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import analytics, auth, env, external, load, report, servers, spatial, workload

PHASES = ("spatial", "analytics", "load", "external")


def _args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, help="demo scale (default 300; 3 with --quick)")
    ap.add_argument("--quick", action="store_true", help="small smoke run into its own file")
    ap.add_argument("--runs", type=int, help="counted passes per request (default 3; 1 quick)")
    ap.add_argument("--points", type=int, help="sample points → tiles/bboxes (default 5; 2 quick)")
    ap.add_argument("--phases", default=",".join(PHASES), help=f"of {', '.join(PHASES)}")
    ap.add_argument("--users", type=int, help="load phase: users (default 50; 10 quick)")
    ap.add_argument("--seconds", type=int, help="load phase: seconds (default 60; 15 quick)")
    ap.add_argument("--workers", type=int, default=2, help="load phase: server workers")
    ap.add_argument("--data-dir", type=Path, default=env.ROOT / ".geo-data" / "bench")
    ap.add_argument("--out", type=Path, help="report file (default BENCHMARKS.md)")
    ap.add_argument("--skip-external", action="store_true", help="same as leaving out external")
    a = ap.parse_args(argv)
    a.scale = a.scale or (3.0 if a.quick else 300.0)
    a.runs = a.runs or (1 if a.quick else 3)
    a.points = a.points or (2 if a.quick else 5)
    a.users = a.users or (10 if a.quick else 50)
    a.seconds = a.seconds or (15 if a.quick else 60)
    a.phases = [p for p in a.phases.split(",") if p]
    if unknown := set(a.phases) - set(PHASES):
        ap.error(f"unknown phase(s) {', '.join(sorted(unknown))}; phases: {', '.join(PHASES)}")
    if a.skip_external and "external" in a.phases:
        a.phases.remove("external")
    if a.out is None:
        a.out = a.data_dir / "BENCHMARKS-quick.md" if a.quick else env.ROOT / "BENCHMARKS.md"
    return a


def log(msg: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def _saved(a: argparse.Namespace) -> Path:
    return a.data_dir / f"last-run-s{a.scale:g}{'-quick' if a.quick else ''}.pickle"


def _previous(a: argparse.Namespace) -> report.Run | None:
    """The last run at this scale, whose results stand for the phases not run now."""
    path = _saved(a)
    if set(a.phases) == set(PHASES) or not path.exists():
        return None
    try:
        return pickle.loads(path.read_bytes())
    except Exception:  # an older format: measure afresh
        return None


def _side_by_side(a, db: env.BenchDB, run: report.Run) -> None:
    """Tiles, features and analytics: this service and tipg on one worker each."""
    venv = servers.tipg_venv(a.data_dir, log)
    run.tipg_version = servers.tipg_version(venv)
    pks = workload.create_tipg_views(db, env.AS_OF.isoformat())
    logs = a.data_dir / "logs"
    logs.mkdir(exist_ok=True)
    before = []
    if "analytics" in a.phases:  # before any server runs, so it runs beside nothing else
        log("risk ranking refresh …")
        before = [analytics.refresh_timed(db.url)]
    ours = servers.start_ours(db.url, logs)
    tipg = None
    try:
        ours.headers = auth.headers_for(ours.url, db.url, "supervisor")
        if "spatial" in a.phases:
            tipg = servers.start_tipg(venv, db.url, workload.SCHEMA, pks, spatial.TILE_LIMIT, logs)
            points = workload.sample_points(db, a.points)
            run.tiles = workload.tile_set(points)
            boxes = workload.bboxes(points)
            run.spatial = []
            for layer in workload.TIPG_LAYERS:
                log(f"{layer} tiles: {len(run.tiles)} tiles × {a.runs} passes × 3 contenders …")
                run.spatial.append(spatial.compare_tiles(db, ours, tipg, layer, run.tiles, a.runs))
            for layer in workload.TIPG_LAYERS:
                log(f"{layer} features in {len(boxes)} bboxes …")
                run.spatial.append(spatial.compare_items(db, ours, tipg, layer, boxes, a.runs * 3))
            run.memory_mb[f"tipg {run.tipg_version} (uvicorn, 1 worker)"] = tipg.peak_rss_mb()
        if "analytics" in a.phases:
            log("analytics …")
            run.analytics = analytics.measure(ours, db.url, max(a.runs * 3, 3), before)
        run.memory_mb["geo-service serve (1 worker)"] = ours.peak_rss_mb()
    finally:
        ours.stop()
        if tipg:
            tipg.stop()


def main(argv: list[str] | None = None) -> int:
    a = _args(argv)
    t0 = time.perf_counter()
    previous = _previous(a)
    run = previous or report.Run(command="", started="", scale=a.scale, quick=a.quick)
    run.command = "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])
    run.started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    run.runs, run.revision, run.phases_run = a.runs, env.git_revision(), list(a.phases)
    run.measured_at.update({p: run.started for p in a.phases})
    a.data_dir.mkdir(parents=True, exist_ok=True)
    db = env.prepare(a.data_dir, a.scale, log)
    run.counts, run.machine = env.counts(db), env.machine(db)
    run.load_note = f"load average (1, 5, 15 min) at start: {env.load_average()}"
    log(f"data: {run.counts}")

    if {"spatial", "analytics"} & set(a.phases):
        _side_by_side(a, db, run)
    if "load" in a.phases:
        run.load = load.run(db, a.users, a.seconds, a.workers, villages=4, log=log)
        run.memory_mb[f"geo-service serve --workers {a.workers} (largest process, load)"] = (
            run.load.peak_mb
        )
    if "external" in a.phases:
        run.external = external.run_all(a.data_dir, a.scale, a.quick, log)
    run.seconds = time.perf_counter() - t0
    run.notes = []
    if a.scale < 300 and not a.quick:
        run.notes.append(
            f"Measured at scale {a.scale:g}, not the city scale 300 the goals name "
            "(time budget); the analytics grow with the number of units and houses."
        )
    _saved(a).write_bytes(pickle.dumps(run))
    a.out.write_text(report.render(run, a.out), "utf-8")
    log(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
