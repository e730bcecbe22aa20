"""The benchmark's database: its own local cluster, one database per scale, loaded once.

The cluster lives under `.geo-data/bench` (override with `--data-dir`), apart from the
development cluster, so a city-scale load never disturbs `make run` data.
"""

import os
import platform
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psutil
import psycopg2

from geo_service import migrate
from geo_service.localdb import LocalCluster, ensure_database, pg_bindir

AS_OF = date(2026, 11, 15)  # the demo's "today": fixed, so every run measures the same data
SEED = 7
# The map's heat request at zoom 14 (bench/analytics.py): a 1280 × 720 screen centred on the
# demo town (120.0703 E, 31.7004 N) padded by a quarter each side as the map pads its view:
# 1.5 × 1280 px × 360° / 2^22 px wide, 1.5 × 720 px × that × cos 31.7° high.
MAP_VIEW_Z14 = "119.9879,31.6610,120.1527,31.7399"
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class BenchDB:
    """A migrated database of the bench cluster holding the demo town at `scale`."""

    url: str
    scale: float
    data_dir: Path

    @property
    def name(self) -> str:
        return self.url.rsplit("/", 1)[1]

    def connect(self):
        return psycopg2.connect(self.url)


def db_name(scale: float) -> str:
    return "bench_s" + f"{scale:g}".replace(".", "_")


def prepare(data_dir: Path, scale: float, log=print) -> BenchDB:
    """Start the bench cluster, create/migrate the scale's database, load the demo if needed."""
    from geo_service.demo.loader import load_demo

    server = LocalCluster(data_dir.resolve()).up()
    name = db_name(scale)
    url = ensure_database(server.rsplit("/", 1)[0], name)
    migrate.upgrade(url)
    log(f"demo town at scale {scale:g} in {name} (loaded once, then reused) …")
    res = load_demo(url, seed=SEED, scale=scale, as_of=AS_OF, progress=True)
    if res.loaded:
        log(f"loaded {res.rows:,} rows in {res.seconds:.0f} s ({res.rows_per_s:,.0f} rows/s)")
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("ANALYZE")  # fresh statistics: the planner must see city-scale tables
    return BenchDB(url, scale, data_dir)


def counts(db: BenchDB) -> dict[str, int]:
    """Rows in the big tables (exact)."""
    out = {}
    with db.connect() as conn, conn.cursor() as cur:
        for table in ("units", "houses", "hazards", "incidents", "addresses", "roads"):
            cur.execute(f"SELECT count(*) FROM {table}")  # names are constants here
            out[table] = cur.fetchone()[0]
    return out


def machine(db: BenchDB) -> dict[str, str]:
    """What the numbers were measured on."""
    with db.connect() as conn, conn.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
        cur.execute("SELECT postgis_lib_version(), postgis_geos_version(), postgis_proj_version()")
        postgis, geos, proj = cur.fetchone()
        settings = {}
        for name in ("shared_buffers", "work_mem", "max_parallel_workers_per_gather", "jit"):
            cur.execute(f"SHOW {name}")
            settings[name] = cur.fetchone()[0]
    cpu = "?"
    if Path("/proc/cpuinfo").exists():
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "CPU": f"{psutil.cpu_count(logical=True)} cores ({cpu})",
        "RAM": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "PostgreSQL": pg,
        "PostGIS": f"{postgis} (GEOS {geos}, PROJ {proj})",
        "PostgreSQL settings": ", ".join(f"{k}={v}" for k, v in settings.items()),
        "pg binaries": str(pg_bindir()),
    }


def git_revision() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        dirty = subprocess.run(
            # BENCHMARKS.md is this command's own output: rewriting it is not a code change.
            ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!BENCHMARKS.md"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        return out.stdout.strip() + (" (+ uncommitted changes)" if dirty else "")
    except OSError:
        return "?"


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())
