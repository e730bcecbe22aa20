"""`python -m bench.revisions --base REV`: is this revision slower than REV? Paired and interleaved.

The service at REV (a detached git worktree under the bench data dir) and at this checkout run
side by side on the same bench database; every request goes to both, in alternating order,
computed afresh (`Cache-Control: no-cache`), so the load of a busy machine falls on both alike.
The answer is a ratio per workload (this / REV), which is what "no slower" means; absolute
times on a shared 2-core machine are not comparable between runs. Results are printed as a
Markdown table (and written to `--out`).

Both revisions must read the same schema: the database is migrated to this checkout's head,
which an older revision reads as long as the migrations since it only add.
"""

import argparse
import subprocess
import sys
from pathlib import Path

import httpx

from bench import auth, env, servers
from bench.analytics import ENDPOINTS, TIMEOUT_S
from bench.spatial import NO_CACHE, PLAIN
from bench.stats import Timing, ms
from bench.workload import sample_points, tile_set

# The city-wide slow ones (tens of seconds each) would dominate the run and say nothing new.
SKIP = ("incidents near houses (1,000)", "risk ranking, top 100")


def _worktree(data_dir: Path, rev: str) -> tuple[Path, str]:
    sha = subprocess.run(
        ["git", "rev-parse", "--short", rev], cwd=env.ROOT, capture_output=True, text=True
    ).stdout.strip()
    if not sha:
        sys.exit(f"unknown revision {rev!r}")
    path = data_dir / f"rev-{sha}"
    if not path.exists():
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(path), sha], cwd=env.ROOT, check=True
        )
    return path, sha


def _requests(db: env.BenchDB) -> list[tuple[str, str, dict, bool]]:
    """(label, path, params, as police) of every workload."""
    out = []
    tiles = tile_set(sample_points(db, 5))
    for layer in ("houses", "hazards"):
        for z, x, y in tiles:
            out.append((f"{layer} tiles", f"/tiles/{layer}/{z}/{x}/{y}.pbf", {}, False))
    for label, path, extra in ENDPOINTS:
        if label not in SKIP:
            out.append((label, path, dict(extra), "/incidents/" in path))
    return out


def _call(client: httpx.Client, path: str, params: dict, headers: dict) -> bytes:
    r = client.get(path, params=params, headers=PLAIN | NO_CACHE | headers)
    if r.status_code not in (200, 204):
        raise RuntimeError(f"HTTP {r.status_code} {path}: {r.text[:200]}")
    return r.content


def measure(db: env.BenchDB, base: servers.Server, head: servers.Server, runs: int) -> list:
    users = auth.ensure_users(db.url, ("supervisor", "police"))
    who = {
        s.name: {r: {"Authorization": f"Bearer {auth.token(s.url, u)}"} for r, u in users.items()}
        for s in (base, head)
    }
    rows: dict[str, tuple[Timing, Timing]] = {}
    clients = {s.name: httpx.Client(base_url=s.url, timeout=TIMEOUT_S) for s in (base, head)}
    for label, path, extra, police in _requests(db):
        params = extra | {"as_of": env.AS_OF.isoformat()}
        timings = rows.setdefault(label, (Timing("base"), Timing("head")))
        pair = [(base, timings[0]), (head, timings[1])]
        for k in range(runs + 1):  # pass 0 warms both up and is not counted
            for server, timing in pair if k % 2 else reversed(pair):
                headers = who[server.name]["police" if police else "supervisor"]
                t = Timing(label)
                t.add(lambda c=clients[server.name], h=headers, p=path, q=params: _call(c, p, q, h))
                if k:
                    timing.seconds += t.seconds
                timing.errors += t.errors
    return [(label, *timings) for label, timings in rows.items()]


def report(rows: list, base_sha: str, head_sha: str, runs: int) -> str:
    lines = [
        f"Paired run: revision {head_sha} against {base_sha}, {runs} counted passes each,"
        " alternating order, computed (no cache).",
        "",
        f"| workload | {base_sha} p50 ms | {head_sha} p50 ms | p50 ratio |"
        f" {base_sha} p95 ms | {head_sha} p95 ms | p95 ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, base, head in rows:
        if base.errors or head.errors or not base.n or not head.n:
            lines.append(f"| {label} | {(base.errors or head.errors or ['no data'])[0]} |||||| ")
            continue
        lines.append(
            f"| {label} | {ms(base.p50)} | {ms(head.p50)} | {head.p50 / base.p50:.2f}× |"
            f" {ms(base.p95)} | {ms(head.p95)} | {head.p95 / base.p95:.2f}× |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.revisions", description=__doc__)
    ap.add_argument("--base", required=True, help="the revision to compare with")
    ap.add_argument("--scale", type=float, default=300.0)
    ap.add_argument("--runs", type=int, default=4)
    ap.add_argument("--data-dir", type=Path, default=env.ROOT / ".geo-data" / "bench")
    ap.add_argument("--out", type=Path)
    a = ap.parse_args(argv)
    db = env.prepare(a.data_dir, a.scale)
    tree, base_sha = _worktree(a.data_dir, a.base)
    head_sha = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=env.ROOT, capture_output=True, text=True
    ).stdout.strip()
    logs = a.data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    base = servers.start_ours(db.url, logs, env={"PYTHONPATH": str(tree)})
    base.name = f"geo-service@{base_sha}"
    head = servers.start_ours(db.url, logs)
    try:
        text = report(measure(db, base, head, a.runs), base_sha, head_sha, a.runs)
    finally:
        base.stop()
        head.stop()
    print(text)
    if a.out:
        a.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
