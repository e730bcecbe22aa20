"""`geo-service`: the command line. Each sub-module registers one group of commands."""

import sys

import psycopg2
import typer
from rich.console import Console
from sqlalchemy.exc import OperationalError

from geo_service.errors import GeoServiceError

app = typer.Typer(
    help="群租房安全管理 GIS monitoring — group-rental housing safety campaign.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    from geo_service.cli import backup, db, demo, serve

    app.add_typer(db.app, name="db")
    app.add_typer(demo.app, name="demo")
    app.command("serve")(serve.serve)
    app.command("backup")(backup.backup)
    app.command("restore")(backup.restore)

    from geo_service.cli import analytics

    analytics.register(app)  # overdue, scores, table, cctv, risk, bulletin

    from geo_service.cli import patrol

    app.add_typer(patrol.app, name="routes")

    from geo_service.cli import etl

    app.command("import")(etl.import_files)
    app.command("geocode")(etl.geocode)
    demo.app.command("export")(etl.demo_export)

    from geo_service.cli import audit, users

    app.add_typer(users.app, name="users")
    app.command("audit")(audit.audit)

    from geo_service.cli import spatial

    spatial.register(app)  # density, hotspots

    from geo_service.cli import cache

    app.add_typer(cache.app, name="cache")

    from geo_service.cli import rules

    app.add_typer(rules.app, name="rules")


_register()


def main() -> None:
    """Console entry point: user mistakes become one clear line, never a traceback."""
    err = Console(stderr=True, soft_wrap=True, highlight=False)
    try:
        app()
    except GeoServiceError as e:
        err.print(f"[bold red]错误 error:[/] {e}")
        sys.exit(1)
    except (OperationalError, psycopg2.OperationalError) as e:
        reason = str(getattr(e, "orig", e)).strip().splitlines()[0]
        err.print(f"[bold red]错误 error:[/] database unavailable (数据库不可用): {reason}")
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("[yellow]已中断 interrupted[/]")
        sys.exit(130)
