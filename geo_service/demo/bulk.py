"""The bulk-load steps of the demo loader, each on an open cursor inside the one transaction."""

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg2
from psycopg2.extensions import quote_ident

from geo_service.errors import ValidationError
from geo_service.sqlfiles import script

_CHUNK = 50_000


def sql(name: str) -> str:
    """A packaged SQL file of `geo_service/demo/sql`."""
    return script("geo_service.demo", f"sql/{name}")


def truncate(cur, tables: tuple[str, ...]) -> tuple[str, ...]:
    """Empty `tables`; return the other non-empty tables the cascade empties with them (e.g.
    the stops of saved route plans, which point at houses)."""
    cur.execute(
        """SELECT DISTINCT c.conrelid::regclass::text FROM pg_constraint c
           WHERE c.contype = 'f' AND c.confrelid = ANY(%(t)s::regclass[])
             AND NOT c.conrelid = ANY(%(t)s::regclass[]) ORDER BY 1""",
        {"t": list(tables)},
    )
    cascaded = []
    for (table,) in cur.fetchall():  # names from the catalog
        cur.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
        if cur.fetchone()[0]:
            cascaded.append(table)
    cur.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    return tuple(cascaded)


def copy_rows(
    cur, table: str, columns: dict, advance: Callable[[int], None], freeze: bool = False
) -> int:
    """COPY one table from an in-memory CSV, in chunks (the progress bar moves per chunk).

    `freeze` only for a table truncated earlier in the same transaction.
    """
    import pandas as pd

    df = pd.DataFrame(columns)
    names = ", ".join(f'"{c}"' for c in df.columns)  # column names come from the generator
    options = "FORMAT csv, FREEZE" if freeze else "FORMAT csv"
    statement = f'COPY "{table}" ({names}) FROM STDIN WITH ({options})'
    for start in range(0, len(df), _CHUNK):
        part = df.iloc[start : start + _CHUNK]
        buf = io.StringIO()
        part.to_csv(buf, header=False, index=False)
        buf.seek(0)
        cur.copy_expert(statement, buf)
        advance(len(part))
    return len(df)


def stage(cur, table: str, columns: dict) -> str:
    """A temporary table shaped like `columns` of `table`, dropped at commit; its name."""
    name = f"demo_{table}"
    cur.execute(
        f"CREATE TEMP TABLE {name} ON COMMIT DROP AS "
        f"SELECT {', '.join(columns)} FROM {table} WITH NO DATA"
    )
    return name


def load_units(cur, columns: dict, advance: Callable[[int], None]) -> int:
    """Upsert the units by id through a staging table (see sql/units_upsert.sql)."""
    n = copy_rows(cur, stage(cur, "units", columns), columns, advance)
    try:
        cur.execute(sql("units_upsert.sql"))
    except psycopg2.errors.ForeignKeyViolation as e:
        raise ValidationError(
            "现有单位仍被其他数据引用，无法替换为演示单位 — units not in the demo are still "
            f"referenced elsewhere: {e.diag.message_detail or e.diag.message_primary}"
        ) from None
    return n


def load_incidents(cur, columns: dict, advance: Callable[[int], None]) -> int:
    """Incidents through a staging table, taking their containing unit on the way in."""
    n = copy_rows(cur, stage(cur, "incidents", columns), columns, advance)
    cur.execute(sql("incidents_insert.sql"))
    return n


@contextmanager
def bulk_mode(cur, tables: tuple[str, ...]) -> Iterator[None]:
    """Load empty `tables` without their secondary indexes and foreign keys, then rebuild the
    indexes and re-add (re-validate) the keys from their own catalog definitions.

    Much faster than growing GIN/GiST indexes and checking keys row by row. On an error the
    transaction is rolled back, which restores everything dropped here.
    """
    cur.execute(sql("deferrable_fks.sql"), {"tables": list(tables)})
    fks = cur.fetchall()
    cur.execute(sql("deferrable_indexes.sql"), {"tables": list(tables)})
    indexes = cur.fetchall()
    # Names and definitions below come from the catalog, never from input.
    for table, name, _ in fks:
        cur.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote_ident(name, cur)}")
    for name, _ in indexes:
        cur.execute(f"DROP INDEX {name}")
    yield
    for _, definition in indexes:
        cur.execute(definition)
    for table, name, definition in fks:
        cur.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote_ident(name, cur)} {definition}")


def move_sequences(cur, tables: tuple[str, ...]) -> None:
    """Explicit ids were loaded: move each table's id sequence past its largest id."""
    for table in tables:
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
        )
