"""`geo-service cache status|clear`: the response cache of analytics and tiles (docs/cache.md)."""

import typer

from geo_service.cli.common import console, engine, print_json

app = typer.Typer(help="应答缓存 the response cache of analytics and tiles", no_args_is_help=True)

_STATUS = """
    SELECT v.version AS data_version, v.changed_at AS data_changed_at,
           count(c.key) FILTER (WHERE c.version = v.version) AS answers,
           count(c.key) FILTER (WHERE c.version < v.version) AS stale_answers,
           pg_total_relation_size('response_cache') AS bytes,
           round(avg(c.compute_ms) FILTER (WHERE c.version = v.version)::numeric, 1)
               AS mean_compute_ms
    FROM data_version v LEFT JOIN response_cache c ON true
    GROUP BY v.version, v.changed_at
"""


@app.command()
def status(as_json: bool = typer.Option(False, "--json", help="machine-readable")) -> None:
    """How many answers are kept for the current data version, and how big the cache is."""
    from sqlalchemy import text

    with engine().connect() as conn:
        row = dict(conn.execute(text(_STATUS)).mappings().one())
    if as_json:
        print_json(row)
        return
    changed = f"{row['data_changed_at']:%Y-%m-%d %H:%M:%S}"
    console.print(
        f"数据版本 data version {row['data_version']} (changed {changed}); "
        f"缓存应答 answers {row['answers']} (+{row['stale_answers']} stale), "
        f"{row['bytes'] / 2**20:.1f} MiB; mean compute {row['mean_compute_ms'] or 0} ms"
    )


@app.command()
def clear() -> None:
    """Empty the cache (answers are recomputed on demand). Never needed for correctness: every
    committed write invalidates it; useful after editing the database by hand without
    triggers (e.g. `session_replication_role = replica`)."""
    from sqlalchemy import text

    with engine().begin() as conn:
        n = conn.execute(text("DELETE FROM response_cache")).rowcount
    console.print(f"已清空 cleared {n} cached answers")
