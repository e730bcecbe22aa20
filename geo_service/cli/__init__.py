"""`geo-service`: the command line. Each sub-module holds one group of commands.

Commands are imported when they run, not before: `geo-service --help` lists them from the
table below without importing FastAPI, the analytics, pypinyin or SQLAlchemy (it started in
over a second; docs/cli.md has the numbers). `tests/test_cli.py` checks that the table's help
lines are the commands' own.
"""

import sys
from collections.abc import Callable

import click
import typer
from typer.core import TyperGroup

from geo_service.errors import GeoServiceError


def _group(module: str, attr: str = "app", extend: Callable | None = None) -> Callable:
    def load() -> click.Command:
        import importlib

        app = getattr(importlib.import_module(module), attr)
        if extend is not None:
            extend(app)
        return typer.main.get_command(app)

    return load


def _command(module: str, attr: str) -> Callable:
    def load() -> click.Command:
        import importlib

        one = typer.Typer()
        one.command()(getattr(importlib.import_module(module), attr))
        return typer.main.get_command(one)

    return load


def _registered(module: str, name: str) -> Callable:
    """A command a module adds with its `register(app)` (analytics, spatial)."""

    def load() -> click.Command:
        import importlib

        holder = typer.Typer()
        importlib.import_module(module).register(holder)
        group = typer.main.get_group(holder)
        return group.commands[name]

    return load


def _demo_export(app: typer.Typer) -> None:
    from geo_service.cli import etl

    if not any(c.name == "export" for c in app.registered_commands):
        app.command("export")(etl.demo_export)


# name → (the help line `--help` shows, how to load the command)
COMMANDS: dict[str, tuple[str, Callable[[], click.Command]]] = {
    "db": (
        "数据库 The PostGIS database: local cluster and migrations.",
        _group("geo_service.cli.db"),
    ),
    "demo": (
        "演示数据 The synthetic demo town on Luoyang Town's extent (合成演示数据).",
        _group("geo_service.cli.demo", extend=_demo_export),
    ),
    "serve": (
        "启动服务 Serve the API and the map page.",
        _command("geo_service.cli.serve", "serve"),
    ),
    "backup": (
        "备份 Dump the whole database (schema and data) to OUT.",
        _command("geo_service.cli.backup", "backup"),
    ),
    "restore": (
        "恢复 Replace the database's contents with DUMP (in one transaction).",
        _command("geo_service.cli.backup", "restore"),
    ),
    "overdue": (
        "逾期未整改 Overdue hazards on D (and, with --due-within N, those due soon).",
        _registered("geo_service.cli.analytics", "overdue"),
    ),
    "scores": (
        "附件1 Scores of every village/community on D, with the records behind each deduction.",
        _registered("geo_service.cli.analytics", "scores"),
    ),
    "ledger": (
        "统计事件账 The event ledger behind the scores and the 附件2 table: rebuild, check.",
        _group("geo_service.cli.ledger"),
    ),
    "table": (
        "附件2 Write the statistics table of D as an Excel workbook.",
        _registered("geo_service.cli.analytics", "table"),
    ),
    "cctv": (
        "视频监控 Houses breaking the CCTV rule (≥10 rooms/beds/tenants), with the reason.",
        _registered("geo_service.cli.analytics", "cctv"),
    ),
    "risk": (
        "风险排序 The houses most worth inspecting, with their top risk factors.",
        _group("geo_service.cli.risk"),
    ),
    "bulletin": (
        "月度通报 Write the monthly bulletin as HTML (and PDF with Chromium when installed).",
        _registered("geo_service.cli.analytics", "bulletin"),
    ),
    "routes": (
        "回头看巡查路线 Review-phase patrol routes: targets, plans, exports, visit records.",
        _group("geo_service.cli.patrol"),
    ),
    "import": (
        "导入 Import workbooks (单位/群租房/隐患/检查记录/警情) and GIS layers, "
        "one transaction each.",
        _command("geo_service.cli.etl", "import_files"),
    ),
    "geocode": (
        "地址定位 Geocode a CSV/xlsx of addresses offline against the standard addresses.",
        _command("geo_service.cli.etl", "geocode"),
    ),
    "users": (
        "用户 Users and roles (admin, leader, supervisor, police, …).",
        _group("geo_service.cli.users"),
    ),
    "keys": (
        "API 密钥 API keys for QGIS, GDAL and scripts (docs/qgis.md).",
        _group("geo_service.cli.keys"),
    ),
    "audit": (
        "审计日志 Show the audit log (writes, personal-data and incident reads, account changes).",
        _command("geo_service.cli.audit", "audit"),
    ),
    "density": (
        "隐患密度 Hazard density per village/community (per 100 houses), or per hexagon.",
        _registered("geo_service.cli.spatial", "density"),
    ),
    "hotspots": (
        "警情热点 Getis-Ord Gi* hot and cold spots of incidents (90/95/99 % confidence).",
        _registered("geo_service.cli.spatial", "hotspots"),
    ),
    "cache": (
        "应答缓存 the response cache of analytics and tiles",
        _group("geo_service.cli.cache"),
    ),
    "rules": (
        "规则 The plan's rule parameters the database applies (GEO_RULES_PATH).",
        _group("geo_service.cli.rules"),
    ),
}


class LazyGroup(TyperGroup):
    """The top-level group: lists COMMANDS from their help lines, imports one when it runs."""

    _listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *(n for n in super().list_commands(ctx) if n not in COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        help_line, load = COMMANDS[cmd_name]
        if self._listing:  # the help page needs the line only
            return click.Command(cmd_name, help=help_line, short_help=help_line)
        if cmd_name not in self.commands:
            command = load()
            command.name = cmd_name
            self.commands[cmd_name] = command
        return self.commands[cmd_name]

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    cls=LazyGroup,
    help="群租房安全管理 GIS monitoring — group-rental housing safety campaign.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """群租房安全管理 GIS monitoring — group-rental housing safety campaign."""


def _database_down(e: BaseException) -> bool:
    # Only when SQLAlchemy or psycopg2 was imported can their errors occur: look them up
    # rather than import them (a third of a second) for every command.
    kinds = []
    if (sa_exc := sys.modules.get("sqlalchemy.exc")) is not None:
        kinds.append(sa_exc.OperationalError)
    if (pg := sys.modules.get("psycopg2")) is not None:
        kinds.append(pg.OperationalError)
    return bool(kinds) and isinstance(e, tuple(kinds))


def main() -> None:
    """Console entry point: user mistakes become one clear line, never a traceback."""
    from rich.console import Console

    err = Console(stderr=True, soft_wrap=True, highlight=False)
    try:
        app()
    except GeoServiceError as e:
        err.print(f"[bold red]错误 error:[/] {e}")
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("[yellow]已中断 interrupted[/]")
        sys.exit(130)
    except Exception as e:
        if not _database_down(e):
            raise
        reason = str(getattr(e, "orig", e)).strip().splitlines()[0]
        err.print(f"[bold red]错误 error:[/] database unavailable (数据库不可用): {reason}")
        sys.exit(1)
