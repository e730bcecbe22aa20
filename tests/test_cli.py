"""The command line starts fast: `--help` and group help import no heavy module, and the
table of help lines `--help` shows (geo_service/cli/__init__.py) says what each command says.
"""

import subprocess
import sys
from pathlib import Path

import click
import pytest
import typer
from typer.testing import CliRunner

from geo_service.cli import COMMANDS, app

ROOT = Path(__file__).resolve().parents[1]
# (typer itself imports pydantic when it builds a command's options.)
HEAVY = ("fastapi", "sqlalchemy", "pandas", "pypinyin", "geopandas", "alembic", "uvicorn")


def _short_help(command: click.Command) -> str:
    return (command.short_help or command.help or "").split("\n\n")[0].strip()


@pytest.mark.parametrize("name", list(COMMANDS))
def test_listed_help_is_the_commands_own(name):
    help_line, load = COMMANDS[name]
    assert help_line == _short_help(load())


def test_help_lists_every_command():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert f" {name} " in result.output


def _modules_after(*args: str) -> set[str]:
    probe = (
        "import sys, runpy\n"
        f"sys.argv = ['geo-service', *{list(args)!r}]\n"
        "try:\n    runpy.run_module('geo_service', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return set(done.stdout.split("\n")[-2].split())


@pytest.mark.parametrize(
    "args", [["--help"], ["keys", "--help"], ["users", "--help"], ["db", "--help"]]
)
def test_help_imports_no_heavy_module(args):
    assert _modules_after(*args) & set(HEAVY) == set()


def test_a_mistyped_command_is_one_clear_line():
    result = CliRunner().invoke(app, ["scroes"])
    assert result.exit_code == 2 and "No such command 'scroes'" in result.output


def test_a_command_is_loaded_once():
    group = typer.main.get_command(app)
    ctx = click.Context(group)
    first = group.get_command(ctx, "keys")
    assert first is group.get_command(ctx, "keys") and first.name == "keys"
    assert set(first.commands) == {"add", "list", "revoke"}


# -- `routes plan`: the unassigned as counts per reason and the first few -----------------------


def _u(code: str, priority: int, reason: str) -> dict:
    return {"house_code": code, "priority": priority, "reason_zh": reason}


def test_unassigned_summary_counts_reasons_and_shows_the_first_five():
    from geo_service.cli.unassigned import summary_lines

    far, none, late = "路网不可达", "房屋无坐标", "超出工作时间"
    # 8 targets, highest priority first (as plans list them): 4 without a location,
    # 3 out of time, 1 unreachable.
    unassigned = [
        _u("H1", 90, late), _u("H2", 90, none), _u("H3", 60, none), _u("H4", 60, far),
        _u("H5", 60, late), _u("H6", 30, none), _u("H7", 30, late), _u("H8", 10, none),
    ]  # fmt: skip
    assert summary_lines(unassigned) == [
        "未排入 unassigned 8 处，按原因 by reason:",
        "       4  房屋无坐标",
        "       3  超出工作时间",
        "       1  路网不可达",
        "前 5 处 first, by priority:",
        "  H1 (优先级 90): 超出工作时间",
        "  H2 (优先级 90): 房屋无坐标",
        "  H3 (优先级 60): 房屋无坐标",
        "  H4 (优先级 60): 路网不可达",
        "  H5 (优先级 60): 超出工作时间",
        "  … 另有 3 处，--json 列出全部 (all with --json)",  # 8 − 5
    ]
    assert summary_lines(unassigned[:2])[-1] == "  H2 (优先级 90): 房屋无坐标"  # no "另有"
    assert summary_lines([]) == []


def test_routes_plan_prints_the_summary_and_json_keeps_all(new_database, monkeypatch):
    import json

    from routes_grid import add_house, add_unit, build_grid, vertex

    from geo_service.db import make_engine

    url = new_database("cli_plan")
    eng = make_engine(url, pool_size=1)
    with eng.begin() as conn:
        build_grid(conn)
        unit = add_unit(conn)
        ids = [add_house(conn, unit, f"B{i}", vertex(i % 3, i // 3)) for i in range(8)]
    eng.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    depot = "{},{}".format(*vertex(0, 0))
    args = ["routes", "plan", "--date", "2026-12-01", "--teams", "1", "--depot", depot]
    args += [*(a for i in ids for a in ("--house", str(i))), "--max-targets", "1"]
    text_run = CliRunner().invoke(app, args)
    assert text_run.exit_code == 0, text_run.output
    lines = text_run.stdout.splitlines()
    assert "未排入 unassigned 7 处，按原因 by reason:" in lines  # 8 listed, 1 planned
    assert sum(1 for line in lines if "(优先级 " in line) == 5
    assert "  … 另有 2 处，--json 列出全部 (all with --json)" in lines
    json_run = CliRunner().invoke(app, [*args, "--json"])
    assert json_run.exit_code == 0, json_run.output
    assert len(json.loads(json_run.stdout)["unassigned"]) == 7
