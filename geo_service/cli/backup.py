"""`geo-service backup` / `restore`: the whole database with pg_dump / pg_restore."""

import shutil
import subprocess
from pathlib import Path

import typer

from geo_service.cli.common import console, settings
from geo_service.errors import SetupError, ValidationError
from geo_service.localdb import pg_bindir


def client_tool(name: str) -> Path:
    """The newest installed `pg_dump`/`pg_restore`. A server that only talks to a remote
    PostgreSQL has the client package alone (no initdb, so not `pg_bindir`)."""
    found = [p for p in Path("/usr/lib/postgresql").glob(f"*/bin/{name}") if p.parts[-3].isdigit()]
    if found:
        return max(found, key=lambda p: int(p.parts[-3]))
    if on_path := shutil.which(name):
        return Path(on_path)
    return pg_bindir() / name  # says what to install when nothing is there


def _run(tool: str, *args: str) -> None:
    result = subprocess.run([str(client_tool(tool)), *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise SetupError(f"{tool} failed: {result.stderr.strip().splitlines()[-1:]}")


def backup(out: Path = typer.Argument(..., help="dump file to write (custom format)")) -> None:
    """备份 Dump the whole database (schema and data) to OUT."""
    from geo_service.db import database_url

    _run("pg_dump", "--format=custom", "--no-owner", f"--file={out}", database_url(settings()))
    console.print(f"backup written to {out} ({out.stat().st_size / 1e6:.1f} MB) (备份完成)")


def restore(
    dump: Path = typer.Argument(..., help="a file written by `geo-service backup`"),
    yes: bool = typer.Option(False, "--yes", "-y", help="do not ask"),
) -> None:
    """恢复 Replace the database's contents with DUMP (in one transaction)."""
    if not dump.is_file():
        raise ValidationError(f"no such backup file: {dump} (备份文件不存在)")
    if not yes:
        typer.confirm("Replace every table with the backup? 确认用备份覆盖数据库?", abort=True)
    from geo_service.access.setup import ensure_api_roles
    from geo_service.db import database_url

    # Roles live in the cluster, not in the dump: its grants and policies name the API's roles.
    ensure_api_roles(database_url(settings()))
    _run(
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        f"--dbname={database_url(settings())}",
        str(dump),
    )
    console.print(f"restored from {dump} (恢复完成)")
