"""`geo-service`: the command line. Each sub-module registers one group of commands."""

import sys

import typer
from rich.console import Console

from geo_service.errors import GeoServiceError

app = typer.Typer(
    help="群租房安全管理 GIS monitoring — group-rental housing safety campaign.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    from geo_service.cli import db, serve

    app.add_typer(db.app, name="db")
    app.command("serve")(serve.serve)


_register()


def main() -> None:
    """Console entry point: user mistakes become one clear line, never a traceback."""
    try:
        app()
    except GeoServiceError as e:
        Console(stderr=True).print(f"[bold red]错误 error:[/] {e}", highlight=False)
        sys.exit(1)
    except KeyboardInterrupt:
        Console(stderr=True).print("[yellow]已中断 interrupted[/]")
        sys.exit(130)
