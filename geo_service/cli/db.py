"""`geo-service db …`: the local PostGIS and the schema migrations."""

from typing import TYPE_CHECKING

import typer

from geo_service.cli.common import console, settings

if TYPE_CHECKING:
    from geo_service.localdb import LocalCluster

# Alembic and SQLAlchemy are imported by the commands that use them (a fast --help).

app = typer.Typer(
    help="数据库 The PostGIS database: local cluster and migrations.", no_args_is_help=True
)


def _migrate(url: str, revision: str = "head") -> None:
    """Migrate, then put the configured rules file in force (a no-op when it already is)."""
    from geo_service import migrate, rulebook
    from geo_service.db import make_engine

    migrate.upgrade(url, revision)
    if revision != "head":
        return
    engine = make_engine(url, pool_size=1)
    try:
        with engine.begin() as conn:
            done = rulebook.apply(conn, settings().rules)
    finally:
        engine.dispose()
    if done.before != done.after:
        console.print(f"规则已生效 rules applied; {done.deadlines_changed} 条整改期限已更新")


def _local() -> "LocalCluster | None":
    from geo_service.localdb import LocalCluster

    s = settings()
    return None if s.database_url else LocalCluster(s.resolved_data_dir)


@app.command()
def up() -> None:
    """Start the local PostGIS (created once) and migrate; with DATABASE_URL, only migrate."""
    from geo_service.db import check_reachable, database_url

    url = database_url(settings(), start=True)
    _migrate(url)
    console.print(f"PostGIS {check_reachable(url)} ready (数据库已就绪)")


@app.command()
def down() -> None:
    """Stop the local PostGIS cleanly."""
    cluster = _local()
    if cluster is None:
        console.print("DATABASE_URL is set: that server is not managed here; nothing stopped.")
        return
    console.print("stopped (已停止)" if cluster.down() else "not running (未运行)")


@app.command()
def status() -> None:
    """Say where the database is and whether it answers."""
    from geo_service import migrate
    from geo_service.db import check_reachable, database_url

    s = settings()
    cluster = _local()
    if cluster is not None and not cluster.running():
        console.print(f"local cluster at {cluster.data_dir}: not running (未运行)")
        raise typer.Exit(1)
    url = database_url(s)
    where = "DATABASE_URL" if cluster is None else f"local cluster at {cluster.data_dir}"
    version = check_reachable(url)
    console.print(f"{where}: running, PostGIS {version}, schema {migrate.current(url) or 'empty'}")


@app.command()
def upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations to the database (DATABASE_URL or the local cluster)."""
    from geo_service.db import database_url

    _migrate(database_url(settings()), revision)
    console.print(f"schema at {revision}")


@app.command()
def downgrade(revision: str = typer.Argument(..., help="target revision, e.g. base")) -> None:
    """Revert migrations down to REVISION."""
    from geo_service import migrate
    from geo_service.db import database_url

    migrate.downgrade(database_url(settings()), revision)
    console.print(f"schema at {revision}")


@app.command()
def reset(yes: bool = typer.Option(False, "--yes", "-y", help="do not ask")) -> None:
    """Drop every table and re-apply the migrations (all data is lost)."""
    if not yes:
        typer.confirm("Drop all data and recreate the schema? 确认清空数据库?", abort=True)
    from geo_service import migrate
    from geo_service.db import database_url

    url = database_url(settings(), start=_local() is not None)
    migrate.downgrade(url, "base")
    _migrate(url)
    console.print("database reset to an empty schema (数据库已重置)")
