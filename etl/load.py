"""Writing staged rows: COPY into a temporary table, then one set-based upsert with audit.

Every statement runs in the caller's transaction (one per file). The staging tables are
`ON COMMIT DROP` temporaries, so nothing of a failed or interrupted import outlives it.
"""

import io
from contextlib import nullcontext

import pandas as pd
from psycopg2 import sql as pgsql

from etl.checks import sql
from etl.context import Context, SheetResult


def copy_frame(cur, table: str, frame: pd.DataFrame) -> None:
    """COPY `frame` (columns named as the staging table's) into `table`."""
    buf = io.StringIO()
    frame.to_csv(buf, index=False, header=False, na_rep="")
    buf.seek(0)
    statement = pgsql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv)").format(
        pgsql.Identifier(table), pgsql.SQL(", ").join(map(pgsql.Identifier, frame.columns))
    )
    cur.copy_expert(statement.as_string(cur), buf)


def keep_absent(cur, stage: str, target: str, key: str, fields: list[str]) -> None:
    """Columns the file does not have keep their stored values (an empty *cell* clears one).

    Names come from the templates in code, never from the file.
    """
    if not fields:
        return
    statement = pgsql.SQL("UPDATE {stage} s SET {sets} FROM {target} t WHERE t.{key} = s.{key}")
    sets = pgsql.SQL(", ").join(
        pgsql.SQL("{f} = t.{f}").format(f=pgsql.Identifier(f)) for f in fields
    )
    cur.execute(
        statement.format(
            stage=pgsql.Identifier(stage),
            sets=sets,
            target=pgsql.Identifier(target),
            key=pgsql.Identifier(key),
        )
    )


def upsert(
    ctx: Context,
    name: str,
    frame: pd.DataFrame,
    *,
    result: SheetResult,
    absent: list[str] = (),  # type: ignore[assignment]
    key: str | None = None,
    params: dict | None = None,
) -> None:
    """Stage `frame` and run `<name>_upsert.sql`; count inserted / updated / unchanged.

    The upsert file's first statement returns (inserted, updated[, deleted]); statements
    after a `-- @next` line run next, in the same transaction.
    """
    scope = ctx.options.scope
    if scope is not None and frame.empty:
        return  # nothing here is the uploader's to write: its role may not even hold the table
    # A web upload writes under the uploader's database role (etl.scope); the CLI as owner.
    with ctx.conn.cursor() as cur, scope.writing(cur) if scope else nullcontext():
        cur.execute(sql(f"{name}_stage.sql"))
        if len(frame):
            copy_frame(cur, f"stage_{name}", frame)
        if key and absent:
            keep_absent(cur, f"stage_{name}", name, key, list(absent))
        bound = {"actor": ctx.options.actor, "source": ctx.source, **(params or {})}
        script = (scope.upsert_sql(name) if scope else None) or sql(f"{name}_upsert.sql")
        first, *more = script.split("-- @next")
        cur.execute(first, bound)
        inserted, updated, *deleted = cur.fetchone()
        for statement in more:  # follow-up statements that must see the upsert's effect
            cur.execute(statement, bound)
    result.inserted += inserted
    result.updated += updated
    result.deleted += deleted[0] if deleted else 0
    result.unchanged += max(0, len(frame) - inserted - updated)
