"""Load the demo town into PostGIS: one transaction, COPY, explicit ids, then sequences and
statistics. A crash leaves nothing half-loaded; a second identical run returns at once.

Heavy modules (numpy, shapely, pandas) are imported only when a load really happens, so the
"already loaded" answer stays well under a second.
"""

import json
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

import psycopg2
from sqlalchemy import Engine

from geo_service.clock import town_today
from geo_service.db import sqlalchemy_url
from geo_service.errors import SetupError, ValidationError
from geo_service.sqlfiles import script

DEFAULT_SEED = 7
TOWN_LABEL = "洛阳镇（合成演示）"
# Load order (foreign keys first). `--force` empties these but units (and review_visits, which
# point at houses) before loading; units are upserted by id (see sql/units_upsert.sql).
DEMO_TABLES = (
    "units",
    "schools",
    "key_areas",
    "roads",
    "addresses",
    "houses",
    "inspections",
    "hazards",
    "incidents",
)
_EMPTIED = (*DEMO_TABLES[1:], "review_visits")
# Tables whose secondary indexes and foreign keys are rebuilt after the load rather than
# maintained row by row.
_BIG = ("addresses", "houses", "inspections", "hazards", "incidents")
_LOCK_KEY = 0x64656D6F  # "demo": one loader at a time per database


@dataclass(frozen=True)
class LoadResult:
    """What `load_demo` did: `loaded` False means the requested demo was already there."""

    loaded: bool
    dataset: dict[str, Any]
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    generate_seconds: float = 0.0
    cascaded: tuple[str, ...] = ()  # other tables emptied by --force (they referenced demo rows)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def houses_per_s(self) -> float:
        return self.counts.get("houses", 0) / self.seconds if self.seconds else 0.0


def _connect(target: str | Engine):
    if isinstance(target, Engine):
        return target.raw_connection()
    url = sqlalchemy_url(target).replace("postgresql+psycopg2://", "postgresql://", 1)
    try:
        return psycopg2.connect(url, connect_timeout=5)
    except psycopg2.OperationalError as e:
        first = (str(e).strip().splitlines() or ["connection failed"])[0]
        raise SetupError(f"cannot reach the database ({first}); run `geo-service db up`") from None


def _matches(dataset: dict | None, seed: int | None, scale: float | None, as_of: date | None):
    """The loaded demo satisfies the request: every parameter given equals the stored one."""
    if not dataset or not dataset.get("synthetic"):
        return False
    return (
        (seed is None or dataset.get("seed") == seed)
        and (scale is None or float(dataset.get("scale", -1)) == float(scale))
        and (as_of is None or dataset.get("as_of") == as_of.isoformat())
    )


def _describe(dataset: dict) -> str:
    return f"seed={dataset.get('seed')}, scale={dataset.get('scale')}, as-of={dataset.get('as_of')}"


def load_demo(
    target: str | Engine,
    seed: int | None = None,
    scale: float | None = None,
    as_of: date | None = None,
    force: bool = False,
    progress: bool = False,
) -> LoadResult:
    """Load the synthetic demo town (see `geo_service.demo`) into the database at `target`.

    Parameters
    ----------
    target : a database URL or an SQLAlchemy engine; the schema must be migrated.
    seed, scale, as_of : the generator's parameters. Left as None they default to 7, 1.0 and
        today — and a demo already loaded is accepted whatever its value for them, so a plain
        re-run never reloads.
    force : empty the demo tables first (in the same transaction) instead of refusing.
    progress : draw a progress bar on stderr.

    Returns
    -------
    LoadResult, with `loaded` False when the requested demo was already there.

    Raises
    ------
    ValidationError when other data is present and `force` is not set, or a bad parameter.
    """
    if scale is not None and not 0 < scale <= 1000:
        raise ValidationError(f"scale must be in (0, 1000] (比例须大于0): got {scale}")
    if seed is not None and seed < 0:
        raise ValidationError(f"seed must be ≥ 0 (随机种子不能为负): got {seed}")
    t0 = time.perf_counter()
    conn = _connect(target)
    try:
        with conn.cursor() as cur:
            cur.execute("SET client_encoding TO 'UTF8'")
            cur.execute("SELECT to_regclass('meta')")
            if cur.fetchone()[0] is None:
                raise SetupError("the schema is missing: run `geo-service db up` (数据库未初始化)")
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            cur.execute(script("geo_service.demo", "sql/state.sql"))
            dataset, has_data = cur.fetchone()
            t_ready = time.perf_counter()
            if not force and _matches(dataset, seed, scale, as_of):
                conn.rollback()
                return LoadResult(loaded=False, dataset=dataset)
            if not force and (has_data or dataset):
                conn.rollback()
                raise ValidationError(_refusal(dataset))
            result = _load(
                conn,
                cur,
                seed=DEFAULT_SEED if seed is None else seed,
                scale=1.0 if scale is None else float(scale),
                as_of=as_of or town_today(),
                force=force,
                progress=progress,
            )
        t_commit = time.perf_counter()
        conn.commit()
        now = time.perf_counter()
        timings = {"连接 connect, lock": t_ready - t0, **result.timings, "COMMIT": now - t_commit}
        return replace(result, seconds=now - t0, timings=timings)
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()


def _refusal(dataset: dict | None) -> str:
    if dataset and dataset.get("synthetic"):
        return (
            f"另一份演示数据已加载 ({_describe(dataset)})；替换请加 --force — "
            "a different demo is loaded; add --force to replace it"
        )
    return (
        "数据库中已有数据，拒绝覆盖；确需清空并加载演示数据请加 --force — "
        "the database already holds data; refusing to overwrite it (use --force to replace it)"
    )


def _load(conn, cur, *, seed, scale, as_of, force, progress) -> LoadResult:
    from geo_service.demo import bulk
    from geo_service.demo.generate import generate
    from geo_service.demo.progress import LoadProgress
    from geo_service.domain.rules import load_rule_params

    t0 = time.perf_counter()
    params = load_rule_params()
    # Index builds after the load are the bulk of the work at scale: give them memory.
    cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
    with LoadProgress(enabled=progress) as bar:
        bar.stage("清空 emptying")
        # Truncated even when empty already: COPY FREEZE needs the table emptied in this
        # transaction (rows written frozen, so nothing rewrites them on first read).
        cascaded = bulk.truncate(cur, _EMPTIED)
        cur.execute("DELETE FROM meta WHERE key = 'dataset'")
        bar.stage(f"生成 generating (seed={seed}, scale={scale:g})")
        data = generate(seed, scale, as_of, params)
        t_gen = time.perf_counter() - t0
        bar.start_rows(sum(len(c["id"]) for c in data.tables.values()))
        bar.stage("COPY units")
        counts = {"units": bulk.load_units(cur, data.tables["units"], bar.advance)}
        with bulk.bulk_mode(cur, _BIG):
            for table, columns in data.tables.items():
                bar.stage(f"COPY {table}")
                if table == "incidents":
                    counts[table] = bulk.load_incidents(cur, columns, bar.advance)
                elif table != "units":
                    counts[table] = bulk.copy_rows(cur, table, columns, bar.advance, freeze=True)
            bar.stage("建索引、外键 building indexes, checking keys")
        bar.stage("校园周边 campus buffers")
        cur.execute(
            bulk.sql("post_load.sql"),
            {
                "first_campus_id": len(data.tables["key_areas"]["id"]) + 1,
                "campus_buffer_m": params.campus_buffer_m,
            },
        )
        counts["key_areas"] += len(data.tables["schools"]["id"])
        bulk.move_sequences(cur, DEMO_TABLES)
        dataset = {
            "synthetic": True,
            "seed": seed,
            "scale": scale,
            "as_of": as_of.isoformat(),
            "town": TOWN_LABEL,
            "counts": counts,
            "loaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        cur.execute(
            "INSERT INTO meta (key, value) VALUES ('dataset', %s)",
            (json.dumps(dataset, ensure_ascii=False),),
        )
        bar.stage("统计信息 ANALYZE")
        cur.execute(f"ANALYZE {', '.join(DEMO_TABLES)}")
        bar.stage("")
    return LoadResult(
        loaded=True,
        dataset=dataset,
        counts=counts,
        seconds=time.perf_counter() - t0,
        generate_seconds=t_gen,
        cascaded=cascaded,
        timings=bar.timings,
    )
