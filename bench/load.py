"""Load test: 50 concurrent users for 60 s against `geo-service serve --workers N` on loopback,
with several villages importing at once.

    .venv/bin/python -m bench.load                   # scale 300 bench database, 50 users, 60 s
    .venv/bin/python -m bench.load --scale 3 --users 20 --seconds 20   # a quick look

The mix (bench/locustfile.py): map users on tiles (z14–17) and bbox feature queries, leaders on
the 附件2 table, scores and density per unit, village staff on their unit's overdue hazards;
beside them `--villages` processes run `geo-service import` of a 300-house file of their own
unit again and again (an upsert by house code, so the data do not grow: each village's first
import adds its 300 houses, later ones change nothing; `--changing` sends two files in turn
whose tenant counts differ, so that every import changes its houses). Goal: zero errors,
p99 < 2 s.

Before the clock starts, the server answers every distinct request of the mix once, as a
server that has been in use would (the first run on a new bench database computes them all:
a few minutes); `--cold` skips that and empties the response cache instead.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench import auth, env, servers, workload
from bench.stats import percentile

HERE = Path(__file__).resolve().parent
LOAD_ZOOMS = (14, 15, 16, 17)  # street-level map; lower zooms of a city show density layers
IMPORT_ROWS = 300


@dataclass
class LoadResult:
    users: int
    seconds: int
    workers: int
    villages: int
    cold: bool = False
    changing: bool = False  # each import changes its 300 houses (two files in turn)
    warm: tuple[int, float] | None = None  # requests asked before the clock, seconds
    rows: list[dict] = field(default_factory=list)  # locust's stats per request name
    total: dict = field(default_factory=dict)  # locust's aggregated row
    imports: list[tuple[float, int]] = field(default_factory=list)  # (seconds, return code)
    peak_mb: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        bad_imports = sum(1 for _, rc in self.imports if rc != 0)
        return int(self.total.get("Failure Count", 0)) + bad_imports


def _village_files(db: env.BenchDB, folder: Path, n: int, changing: bool) -> list[list[Path]]:
    """Per village, the 群租房.csv files it sends in turn: `IMPORT_ROWS` houses placed beside
    that unit's own houses; with `changing`, two files whose tenant counts differ (5 and 6), so
    that every import changes all of them."""

    headers = [
        "房屋编号", "所属单位", "地址", "经度", "纬度", "坐标系", "出租人", "出租人证件号",
        "出租人电话", "二房东", "二房东是否登记", "出租居室数", "床位数", "租住人数",
        "已登记租住人数", "是否登记", "是否签订治安责任保证书", "是否安装视频监控",
        "监控保存天数", "是否自建房", "最近检查日期",
    ]  # fmt: skip
    files = []
    with db.connect() as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT id, name FROM units WHERE kind <> 'department' ORDER BY id LIMIT %s", (n,)
        )
        for unit_id, name in cur.fetchall():
            cur.execute(
                "SELECT ST_X(geom), ST_Y(geom) FROM houses WHERE unit_id = %s AND geom IS NOT NULL"
                " ORDER BY id LIMIT %s",
                (unit_id, IMPORT_ROWS),
            )
            points = cur.fetchall()
            turns = []
            for tenants in (5, 6) if changing else (5,):
                path = folder / f"village-{unit_id}" / f"{tenants}" / "群租房.csv"
                path.parent.mkdir(parents=True, exist_ok=True)
                with path.open("w", newline="", encoding="utf-8") as f:
                    out = csv.writer(f)
                    out.writerow(headers)
                    for i, (x, y) in enumerate(points):
                        code = f"LOAD-{unit_id}-{i:04d}"
                        row = [code, name, f"{name}压力测试路{i + 1}号", f"{x + 1e-5:.6f}"]
                        row += [f"{y:.6f}", "WGS84", "出租人", None, None, None, None, 3, 4]
                        row += [tenants, 5, "是", "是", "是", 30, "否", "2026-10-01"]
                        out.writerow(row)
                turns.append(path)
            files.append(turns)
    return files


def _import_loop(
    db_url: str, turns: list[Path], until: float, out: list[tuple[float, int]]
) -> None:
    environ = {**os.environ, "DATABASE_URL": db_url}
    turn = 0
    while time.monotonic() < until:
        path, turn = turns[turn % len(turns)], turn + 1
        t0 = time.monotonic()
        done = subprocess.run(
            [str(servers.VENV_BIN / "geo-service"), "import", str(path), "--actor", "load-test"],
            cwd=env.ROOT,
            env=environ,
            capture_output=True,
            text=True,
            timeout=600,
        )
        out.append((time.monotonic() - t0, done.returncode))
        if done.returncode != 0:
            print(done.stderr[-500:], file=sys.stderr)


def _warm(url: str, tokens: dict[str, str], tiles, boxes, units) -> tuple[int, float]:
    """Ask every distinct request of bench/locustfile.py once (number asked, seconds)."""
    as_of = env.AS_OF.isoformat()
    asks = [("supervisor", f"/tiles/houses/{z}/{x}/{y}.pbf") for z, x, y in tiles]
    asks += [("supervisor", f"/tiles/hazards/{z}/{x}/{y}.pbf?as_of={as_of}") for z, x, y in tiles]
    asks += [
        ("supervisor", "/ogc/collections/houses/items?"
         + urllib.parse.urlencode({"bbox": ",".join(f"{v:.6f}" for v in box), "limit": 500}))
        for box in boxes
    ]  # fmt: skip
    asks += [
        ("leader", f"/analytics/table?as_of={as_of}"),
        ("leader", f"/analytics/scores?as_of={as_of}&records=false"),
        ("leader", f"/analytics/density/units?as_of={as_of}"),
    ]
    for unit in units:
        q = urllib.parse.quote(unit)
        asks.append(("supervisor", f"/analytics/overdue?as_of={as_of}&unit={q}"))
        asks.append(("supervisor", f"/analytics/overdue?as_of={as_of}&due_within=7&unit={q}"))
    t0 = time.monotonic()
    for role, path in asks:
        headers = {"Authorization": f"Bearer {tokens[role]}", "Accept-Encoding": "identity"}
        with urllib.request.urlopen(urllib.request.Request(url + path, headers=headers)) as r:
            r.read()
    return len(asks), time.monotonic() - t0


def _clear_cache(db: env.BenchDB) -> None:
    with db.connect() as conn, conn.cursor() as cur:
        cur.execute("TRUNCATE response_cache")


def _cleanup(db: env.BenchDB) -> None:
    with db.connect() as conn, conn.cursor() as cur:
        cur.execute("DELETE FROM houses WHERE house_code LIKE 'LOAD-%%'")


def run(
    db: env.BenchDB,
    users: int,
    seconds: int,
    workers: int,
    villages: int,
    log=print,
    cold: bool = False,
    changing: bool = False,
):
    """Start the service with `workers`, run locust and the village imports, return results."""
    result = LoadResult(users, seconds, workers, villages, cold, changing)
    work = db.data_dir / "load"
    work.mkdir(parents=True, exist_ok=True)
    files = _village_files(db, work, villages, changing)
    points = workload.sample_points(db, 8)
    tiles = [t for t in workload.tile_set(points) if t[0] in LOAD_ZOOMS]
    with db.connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT name FROM units WHERE kind <> 'department' ORDER BY id")
        units = [r[0] for r in cur.fetchall()]
    logs = db.data_dir / "logs"
    logs.mkdir(exist_ok=True)
    server = servers.start_ours(db.url, logs, workers=workers)
    try:
        environ = {
            **os.environ,
            "BENCH_TILES": json.dumps(tiles),
            "BENCH_BOXES": json.dumps(workload.bboxes(points)),
            "BENCH_UNITS": json.dumps(units),
            "BENCH_AS_OF": env.AS_OF.isoformat(),
        }
        for role in ("supervisor", "leader"):
            for k, v in auth.headers_for(server.url, db.url, role).items():
                environ[f"BENCH_TOKEN_{role.upper()}"] = v.removeprefix("Bearer ")
                assert k == "Authorization"
        if cold:
            _clear_cache(db)
        else:
            tokens = {r: environ[f"BENCH_TOKEN_{r.upper()}"] for r in ("supervisor", "leader")}
            asked, took = _warm(server.url, tokens, tiles, workload.bboxes(points), units)
            result.warm = (asked, took)
            log(f"warm-up: {asked} requests in {took:.0f} s")
        until = time.monotonic() + seconds
        threads = [
            threading.Thread(target=_import_loop, args=(db.url, f, until, result.imports))
            for f in files
        ]
        for t in threads:
            t.start()
        prefix = work / "locust"
        log(f"locust: {users} users for {seconds} s, {villages} villages importing, "
            f"{workers} workers …")  # fmt: skip
        subprocess.run(
            [
                str(servers.VENV_BIN / "locust"),
                "-f",
                str(HERE / "locustfile.py"),
                "--headless",
                "-u",
                str(users),
                "-r",
                str(max(1, users // 5)),
                "-t",
                f"{seconds}s",
                "--host",
                server.url,
                "--csv",
                str(prefix),
                "--only-summary",
                "--stop-timeout",
                "30",
            ],
            env=environ,
            cwd=env.ROOT,
            capture_output=True,
            timeout=seconds + 300,
        )
        for t in threads:
            t.join()
        result.peak_mb = server.peak_rss_mb()
    finally:
        server.stop()
        _cleanup(db)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["Name"] == "Aggregated":
                result.total = row
            else:
                result.rows.append(row)
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        result.failures = failures.read_text("utf-8").splitlines()[1:11]
    return result


def markdown(r: LoadResult) -> list[str]:
    """The BENCHMARKS.md section of a load run."""
    out = [
        f"{r.users} concurrent users for {r.seconds} s (locust, bench/locustfile.py) against "
        f"`geo-service serve --workers {r.workers}` on 127.0.0.1, while {r.villages} villages "
        f"ran `geo-service import` of a {IMPORT_ROWS}-house file again and again"
        + (
            " — two files in turn whose tenant counts differ, so every import changes its houses."
            if r.changing
            else " (the first import adds the houses, later ones change nothing)."
        ),
        "",
        (
            "Started with an empty response cache (`--cold`)."
            if r.cold
            else f"Before the clock: every distinct request of the mix once ({r.warm[0]:,} "
            f"requests, {r.warm[1]:.0f} s), as on a server in use."
        ),
        "",
        "| request | n | failures | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in [*r.rows, r.total]:
        name = "**all requests**" if row is r.total else f"`{row['Name']}`"
        out.append(
            f"| {name} | {row.get('Request Count', 0)} | {row.get('Failure Count', 0)} | "
            f"{row.get('50%', '—')} | {row.get('95%', '—')} | {row.get('99%', '—')} | "
            f"{float(row.get('Max Response Time', 0) or 0):,.0f} |"
        )
    if r.imports:
        secs = [s for s, _ in r.imports]
        bad = sum(1 for _, rc in r.imports if rc != 0)
        out += [
            "",
            f"Imports: {len(r.imports)} files of {IMPORT_ROWS} houses, {bad} failed; "
            f"p50 {percentile(secs, 0.5):.1f} s, p99 {percentile(secs, 0.99):.1f} s each "
            "(a new process: Python start-up, read, check, upsert, commit).",
        ]
    rps = float(r.total.get("Requests/s", 0) or 0)
    out += [
        "",
        f"Throughput {rps:,.1f} requests/s; errors {r.errors} (goal: 0) → "
        f"{'met' if r.errors == 0 else '**missed**'}; peak memory of the largest server "
        f"process {r.peak_mb:,.0f} MiB.",
    ]
    if r.failures:
        out += ["", "First failures:", "", "```text", *r.failures, "```"]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=300.0)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--workers", type=int, default=2, help="server worker processes")
    ap.add_argument("--villages", type=int, default=4, help="concurrent importing villages")
    ap.add_argument("--data-dir", type=Path, default=env.ROOT / ".geo-data" / "bench")
    ap.add_argument("--cold", action="store_true", help="start with an empty response cache")
    ap.add_argument(
        "--changing", action="store_true", help="every village import changes its houses"
    )
    a = ap.parse_args(argv)
    db = env.prepare(a.data_dir, a.scale)
    result = run(db, a.users, a.seconds, a.workers, a.villages, cold=a.cold, changing=a.changing)
    print("\n".join(markdown(result)))
    return 0 if result.errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
