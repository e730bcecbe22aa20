"""The maintained risk ranking (风险排序): today's town-wide ranking kept in `risk_ranking`.

Scoring every house takes seconds to a quarter of a minute at city scale, so the ranking of
*today* for the whole town is computed once after the data change (`refresh`, run in the
background by `risk_refresh.RiskRefresher` and by `geo-service risk --refresh`) and read from
the table by every surface (`served`). The rule of which question the table answers, and when
it is stale, lives here only:

- the table answers a question when its day is the table's `as_of`, its scope filters houses
  only (unit, key area, bbox: hazard filters change the factors) and the weights and rules are
  those the table was computed with (`fingerprint`); any other question is computed live;
- it is *stale* when data were written after the snapshot it was computed from
  (`data_version` moved on): it is still served, marked stale, while the refresh runs.

A refresh after local changes only (houses, their hazards and history: the footprints of
docs/cache.md) recomputes only the houses those changes can have reached (*incremental*);
a global change, a new day, other weights or rules, or changes no longer kept: every house.

The scores are those of the live computation — the same SQL files (`_risk_base.sql`,
`_risk_points.sql`, `incident_counts_near()` per audience) — written once per audience:
'exact' (police, owner), 'coarse' (leaders, supervision group), 'none' (everyone else).
"""

import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, text

from geo_service.analytics.common import fragments, params
from geo_service.domain.rules import RuleParams
from geo_service.scope import Scope, ScopeSql
from geo_service.sqlfiles import render, script

log = logging.getLogger(__name__)

METHOD = "weighted"  # the explainable weighted sum of risk_weights.toml
AUDIENCES = ("exact", "coarse", "none")
# incident_detail() of the caller → the rows it reads.
AUDIENCE_OF_DETAIL = {"exact": "exact", "coarse": "coarse", "none": "none"}
# A database role of each audience whose incident_counts_near() answer the rows carry
# (None: the owner, as the CLI; 'none' gets no incidents, so nothing is asked).
_AUDIENCE_ROLE = {"exact": None, "coarse": "geo_api_leader"}
REFRESH_WORK_MEM = "256MB"  # the ranking sorts 3 × the town's houses: in memory, not on disk
_LOCK_KEY = 0x7269736B_72616E6B  # "riskrank": one refresh at a time, across processes
_SQL_FILES = (
    "sql/_house_scope.sql",
    "sql/_hazards.sql",
    "sql/_risk_base.sql",
    "sql/_risk_points.sql",
    "sql/risk_refresh_base.sql",
    "sql/risk_refresh_incidents.sql",
    "sql/risk_refresh_write.sql",
    "sql/risk_refresh_touched.sql",
)


@dataclass(frozen=True)
class Run:
    """What the rows of one method and audience were computed from, and when."""

    as_of: date
    computed_at: datetime
    inputs_fingerprint: str
    data_version: int
    houses_scored: int
    took_ms: int
    current_version: int  # data_version now
    # Of the refresh that returned this run (not stored): whether it recomputed only the houses
    # the changes reached, and how many houses it recomputed.
    incremental: bool = False
    recomputed: int | None = None

    @property
    def stale(self) -> bool:
        return self.data_version != self.current_version


def fingerprint(weight_params: dict[str, Any], rules: RuleParams) -> str:
    """The inputs besides the data: weights, rules and the SQL that turns them into scores."""
    blob = json.dumps(
        {
            "method": METHOD,
            "weights": weight_params,
            "rules": asdict(rules),
            "sql": [script("geo_service.analytics", f) for f in _SQL_FILES],
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def run_of(conn: Connection, audience: str) -> Run | None:
    """The stored run of `audience` (None: never refreshed, or the table is missing)."""
    row = conn.execute(
        text(
            "SELECT r.as_of, r.computed_at, r.inputs_fingerprint, r.data_version, "
            "r.houses_scored, r.took_ms, v.version AS current_version "
            "FROM risk_ranking_runs r CROSS JOIN data_version v "
            "WHERE r.method = :m AND r.audience = :a"
        ),
        {"m": METHOD, "a": audience},
    ).one_or_none()
    return Run(**row._mapping) if row else None


def answers(conn: Connection, scope: Scope, audience: str, fp: str) -> Run | None:
    """The run that answers this question, or None (compute live): see the module's rule."""
    b = ScopeSql(scope, conn)
    if b.hazards("z"):
        return None
    run = run_of(conn, audience)
    if run is None or run.as_of != scope.as_of or run.inputs_fingerprint != fp:
        return None
    return run


def served(
    conn: Connection,
    scope: Scope,
    audience: str,
    run: Run,
    limit: int,
    min_score: float | None,
) -> tuple[list[dict[str, Any]], int]:
    """The top rows of the scope from the table, as the live query returns them (factor
    values and points, zero where not stored), and how many houses of the scope are scored."""
    b = ScopeSql(scope, conn)
    frag = fragments(b)
    bound = b.params | {"method": METHOD, "audience": audience}
    rows = conn.execute(
        text(render("geo_service.analytics", "sql/risk_served.sql", **frag)),
        bound | {"limit": limit, "min_score": min_score},
    ).mappings()
    out = [_row(dict(r)) for r in rows]
    if b.houses("h"):
        sql = render("geo_service.analytics", "sql/risk_served_count.sql", **frag)
        scored = int(conn.execute(text(sql), b.params).scalar_one())
    else:
        scored = run.houses_scored
    return out, scored


def _row(r: dict[str, Any]) -> dict[str, Any]:
    f = r.pop("factors")
    row = {k: 0 for k in _FACTOR_KEYS} | r
    row.update({k: v for k, v in f.items() if k.startswith(("v_", "p_"))})
    row["key_area_kinds"] = f.get("key_area_kinds", [])
    row["kwh"] = f.get("kwh")
    row["kwh_expected"] = f.get("kwh_expected")
    return row


_FACTOR_KEYS = tuple(
    f"{p}_{c}"
    for c in (
        "open_major_hazards",
        "overdue_hazards",
        "cctv_violation",
        "fire_kit_missing",
        "self_built",
        "dangerous_house",
        "tenant_gap",
        "incidents",
        "electricity",
        "key_area",
    )
    for p in ("v", "p")
)


def refresh(
    engine: Engine,
    rules: RuleParams,
    weight_params: dict[str, Any],
    today: date,
    *,
    force: bool = False,
    wait: bool = True,
) -> Run | None:
    """Recompute today's ranking if it is stale (or `force`); None when nothing was done (fresh
    already, or — without `wait` — another refresh is running, which will see these data).

    One refresh at a time (a session advisory lock taken *before* the snapshot, so a refresh
    that waited sees every write committed while it waited: no write is left unranked); the
    scores come from one REPEATABLE READ snapshot, whose data version the run records.
    """
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as lock_conn:
        fn = "pg_advisory_lock" if wait else "pg_try_advisory_lock"
        got = lock_conn.execute(text(f"SELECT {fn}(:k)"), {"k": _LOCK_KEY}).scalar()
        if wait is False and not got:
            return None
        try:
            return _refresh_locked(engine, rules, weight_params, today, force)
        finally:
            lock_conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _LOCK_KEY})


def _refresh_locked(
    engine: Engine, rules: RuleParams, weight_params: dict[str, Any], today: date, force: bool
) -> Run | None:
    fp = fingerprint(weight_params, rules)
    started = time.monotonic()
    rr = engine.connect().execution_options(isolation_level="REPEATABLE READ")
    with rr as conn, conn.begin():
        version = conn.execute(text("SELECT version FROM data_version")).scalar_one()
        if not force and all(_fresh(conn, a, today, fp, version) for a in AUDIENCES):
            return None
        conn.execute(text("SELECT set_config('work_mem', :wm, true)"), {"wm": REFRESH_WORK_MEM})
        conn.execute(text("SET LOCAL statement_timeout = 0"))
        scope = Scope(as_of=today)
        b = ScopeSql(scope, conn)
        frag = fragments(b)
        since = None if force else _incremental_since(conn, today, fp, version)
        if since is not None:
            touched = _touch(conn, since, version)
            log.info("risk refresh: incremental since version %s, %d houses", since, touched)
        frag = _scoped(frag, since is not None)
        p = params(scope, rules) | b.params | dict(weight_params)
        p["incidents_since"] = today - timedelta(days=p.pop("incident_days") - 1)
        conn.execute(text(render("geo_service.analytics", "sql/risk_refresh_base.sql", **frag)), p)
        conn.execute(text("ANALYZE risk_base"))
        log.info("risk refresh: factors %.1f s", time.monotonic() - started)
        conn.execute(
            text(
                "CREATE TEMP TABLE risk_incidents (audience text, house_id integer, "
                "incidents bigint) ON COMMIT DROP"
            )
        )
        inc_sql = text(render("geo_service.analytics", "sql/risk_refresh_incidents.sql"))
        for audience, role in _AUDIENCE_ROLE.items():
            if role:
                conn.execute(text(f"GRANT SELECT ON risk_base TO {role}"))
                conn.execute(text(f"GRANT INSERT ON risk_incidents TO {role}"))
                conn.execute(text(f"SET LOCAL ROLE {role}"))
            conn.execute(inc_sql, p | {"audience": audience})
            if role:
                conn.execute(text("RESET ROLE"))
            log.info("risk refresh: %s incidents %.1f s", audience, time.monotonic() - started)
        write_sql = render(
            "geo_service.analytics", "sql/risk_refresh_write.sql", old_houses=frag["old_houses"]
        )
        written = conn.execute(
            text(write_sql), p | {"audiences": list(AUDIENCES), "method": METHOD}
        ).one()
        log.info(
            "risk refresh: rows written %.1f s (deleted %s, updated %s, inserted %s)",
            time.monotonic() - started,
            *written,
        )
        recomputed = conn.execute(text("SELECT count(*) FROM risk_base")).scalar_one()
        scored = conn.execute(
            text("SELECT count(*) FROM risk_ranking WHERE method = :m AND audience = 'none'"),
            {"m": METHOD},
        ).scalar_one()
        took = int((time.monotonic() - started) * 1000)
        conn.execute(
            text(
                "INSERT INTO risk_ranking_runs (method, audience, as_of, computed_at, "
                "inputs_fingerprint, data_version, houses_scored, took_ms) "
                "SELECT :m, a, :d, now(), :fp, :v, :n, :ms FROM unnest(CAST(:aud AS text[])) a "
                "ON CONFLICT (method, audience) DO UPDATE SET as_of = EXCLUDED.as_of, "
                "computed_at = EXCLUDED.computed_at, "
                "inputs_fingerprint = EXCLUDED.inputs_fingerprint, "
                "data_version = EXCLUDED.data_version, houses_scored = EXCLUDED.houses_scored, "
                "took_ms = EXCLUDED.took_ms"
            ),
            {
                "m": METHOD,
                "d": today,
                "fp": fp,
                "v": version,
                "n": scored,
                "ms": took,
                "aud": list(AUDIENCES),
            },
        )
        return replace(
            run_of(conn, AUDIENCES[0]), incremental=since is not None, recomputed=recomputed
        )


def _fresh(conn: Connection, audience: str, today: date, fp: str, version: int) -> bool:
    run = run_of(conn, audience)
    return (
        run is not None
        and run.as_of == today
        and run.inputs_fingerprint == fp
        and run.data_version == version
    )


def _incremental_since(conn: Connection, today: date, fp: str, version: int) -> int | None:
    """The data version of the stored rows when only local changes followed it, all still in
    data_changes (the rows need only the houses those changes reached); None: refresh all."""
    runs = [run_of(conn, a) for a in AUDIENCES]
    if any(r is None or r.as_of != today or r.inputs_fingerprint != fp for r in runs):
        return None
    since = {r.data_version for r in runs}
    if len(since) != 1 or (v0 := since.pop()) >= version:
        return None
    ok = conn.execute(
        text(
            "SELECT count(*) = :n AND NOT bool_or(is_global) "
            # the rows of a run with houses: gone only when a crash emptied the UNLOGGED table
            "AND (:scored = 0 OR EXISTS (SELECT 1 FROM risk_ranking WHERE method = :m)) "
            "FROM data_changes WHERE version > :v0 AND version <= :v"
        ),
        {"n": version - v0, "v0": v0, "v": version, "m": METHOD, "scored": runs[0].houses_scored},
    ).scalar()
    return v0 if ok else None


def _touch(conn: Connection, since: int, version: int) -> int:
    """Fill risk_touched (risk_refresh_touched.sql); how many houses it holds."""
    sql = render("geo_service.analytics", "sql/risk_refresh_touched.sql")
    conn.execute(text(sql), {"since": since, "version": version, "method": METHOD})
    conn.execute(text("ANALYZE risk_touched"))
    return conn.execute(text("SELECT count(*) FROM risk_touched")).scalar_one()


def _scoped(frag: dict[str, str], incremental: bool) -> dict[str, str]:
    """The town scope's fragments, narrowed to the touched houses when incremental: their
    figures, their hazards and their stored rows (`old_houses`, risk_refresh_write.sql)."""
    if not incremental:
        return frag | {"old_houses": "true"}
    ids = "ARRAY(SELECT house_id FROM risk_touched)"
    return frag | {
        "house_scope": f"({frag['house_scope']}) AND h.id = ANY ({ids})",
        "hazard_scope": f"({frag['hazard_scope']}) AND z.house_id = ANY ({ids})",
        # the audience too: the primary key's order (method, audience, house_id) finds each
        # row at once, not by reading every row of the method
        "old_houses": "audience = ANY (CAST(:audiences AS text[])) "
        "AND house_id IN (SELECT house_id FROM risk_touched)",
    }
