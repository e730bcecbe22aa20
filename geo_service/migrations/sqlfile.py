"""Run a packaged SQL script inside a migration."""

from alembic import op

from geo_service.sqlfiles import script


def run_sql_file(package: str, name: str) -> None:
    """Execute `<package>/sql/<name>` on the migration's connection.

    The raw DBAPI cursor: the scripts hold `%` and `:` that bind-parameter parsing would eat.
    """
    sql = script(package, f"sql/{name}")
    with op.get_bind().connection.dbapi_connection.cursor() as cur:
        cur.execute(sql)
