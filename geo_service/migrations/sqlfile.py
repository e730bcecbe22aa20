"""Run a packaged SQL script inside a migration."""

from importlib import resources

from alembic import op


def run_sql_file(package: str, name: str) -> None:
    """Execute `<package>/sql/<name>` on the migration's connection.

    The raw DBAPI cursor: the scripts hold `%` and `:` that bind-parameter parsing would eat.
    """
    sql = resources.files(package).joinpath("sql", name).read_text("utf-8")
    with op.get_bind().connection.dbapi_connection.cursor() as cur:
        cur.execute(sql)
