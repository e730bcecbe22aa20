"""`geo-service keys …`: API keys for desktop GIS (QGIS, GDAL) and scripts (runs as the owner)."""

import getpass

import typer

from geo_service.cli.common import console, engine, print_json

app = typer.Typer(
    help="API 密钥 API keys for QGIS, GDAL and scripts (docs/qgis.md).", no_args_is_help=True
)


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _when(value) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else ""


@app.command()
def add(
    username: str = typer.Argument(..., help="the user the key acts as (its role and unit)"),
    name: str = typer.Option(..., "--name", "-n", help="what the key is for, e.g. 'QGIS 派出所'"),
    expires: int = typer.Option(None, "--expires", help="days until it expires (default: never)"),
) -> None:
    """Make a key; it is printed once and cannot be shown again. 新建密钥"""
    from geo_service.access.keys import add_key

    with engine().begin() as conn:
        key, row = add_key(conn, username, name, expires, actor=_actor())
    until = f"，{_when(row['expires_at'])} 到期" if row["expires_at"] else "，长期有效"
    console.print(
        f"已为 {username} 新建密钥「{name}」{until}。请立即复制，它不会再次显示 "
        "(copy it now: it is not shown again):"
    )
    print(key)


@app.command("list")
def list_(
    username: str = typer.Argument(None, help="only this user's keys"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Keys with their state, expiry and last use (never the key itself). 密钥列表"""
    from rich.table import Table

    from geo_service.access.keys import STATE_ZH, list_keys

    with engine().connect() as conn:
        rows = list_keys(conn, username)
    if as_json:
        print_json(rows)
        return
    table = Table("用户", "名称", "密钥", "状态", "创建", "到期", "最近使用", "次数")
    for r in rows:
        table.add_row(
            r["username"],
            r["name"],
            r["prefix"] + "…",
            STATE_ZH[r["state"]],
            _when(r["created_at"]),
            _when(r["expires_at"]) or "—",
            _when(r["last_used_at"]) or "从未 never",
            str(r["use_count"]),
        )
    console.print(table)


@app.command()
def revoke(
    username: str = typer.Argument(...),
    name: str = typer.Argument(..., help="the key's name, or its first characters (gsk_…)"),
) -> None:
    """Revoke a key: the next request made with it is refused (401). 吊销密钥"""
    from geo_service.access.keys import revoke_key

    with engine().begin() as conn:
        revoke_key(conn, username, name.removesuffix("…"), actor=_actor())
    console.print(f"已吊销 {username} 的密钥「{name}」 (revoked)")
