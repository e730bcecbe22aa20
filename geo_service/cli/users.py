"""`geo-service users …`: accounts of the people who use the system (runs as the owner)."""

import getpass
import sys

import typer
from rich.table import Table

from geo_service.access.roles import ROLE_ZH, Role
from geo_service.cli.common import console, engine, print_json
from geo_service.errors import ValidationError

app = typer.Typer(
    help="用户 Users and roles (admin, leader, supervisor, police, …).", no_args_is_help=True
)

_ROLES = ", ".join(f"{r.value} ({ROLE_ZH[r]})" for r in Role)


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("密码 Password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise ValidationError("empty password (密码为空)")
    return password


@app.command()
def add(
    username: str = typer.Argument(..., help="login name"),
    role: str = typer.Option(..., "--role", "-r", help=f"one of {_ROLES}"),
    unit: str = typer.Option(None, "--unit", "-u", help="unit name (village/department users)"),
    name: str = typer.Option(None, "--name", help="display name (姓名)"),
    password_stdin: bool = typer.Option(False, help="read the password from stdin"),
) -> None:
    """Add a user; village and department users need --unit. 新增用户"""
    password = _read_password(password_stdin)
    from geo_service.access import accounts

    with engine().begin() as conn:
        user = accounts.add_user(conn, username, role, password, unit, name, actor=_actor())
    where = f"，单位 {user.unit_name}" if user.unit_name else ""
    console.print(f"已创建用户 {user.username}（{ROLE_ZH[user.role]}{where}） user added")


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """List users with role, unit and state. 用户列表"""
    from geo_service.access import accounts

    with engine().connect() as conn:
        users = accounts.list_users(conn)
    if as_json:
        print_json(users)
        return
    table = Table("用户名", "角色", "单位", "姓名", "状态")
    for u in users:
        state = "停用" if u["disabled"] else ("锁定" if u["locked_until"] else "正常")
        table.add_row(u["username"], u["role_zh"], u["unit"] or "", u["display_name"] or "", state)
    console.print(table)


@app.command()
def disable(username: str = typer.Argument(...)) -> None:
    """Disable a user: refused at once, even with an open session. 停用用户"""
    from geo_service.access import accounts

    with engine().begin() as conn:
        accounts.set_disabled(conn, username, True, actor=_actor())
    console.print(f"已停用 {username} (disabled)")


@app.command()
def enable(username: str = typer.Argument(...)) -> None:
    """Enable a disabled user again. 启用用户"""
    from geo_service.access import accounts

    with engine().begin() as conn:
        accounts.set_disabled(conn, username, False, actor=_actor())
    console.print(f"已启用 {username} (enabled)")


@app.command()
def passwd(
    username: str = typer.Argument(...),
    password_stdin: bool = typer.Option(False, help="read the password from stdin"),
) -> None:
    """Set a new password; lifts a lock-out and ends the user's sessions. 重置密码"""
    password = _read_password(password_stdin)
    from geo_service.access import accounts

    with engine().begin() as conn:
        accounts.set_password(conn, username, password, actor=_actor())
    console.print(f"已更新 {username} 的密码 (password changed)")


@app.command()
def role(
    username: str = typer.Argument(...),
    new_role: str = typer.Option(..., "--role", "-r", help=f"one of {_ROLES}"),
    unit: str = typer.Option(None, "--unit", "-u", help="unit name (village/department users)"),
) -> None:
    """Change a user's role and unit; ends the user's sessions. 更改角色"""
    from geo_service.access import accounts

    with engine().begin() as conn:
        user = accounts.set_role(conn, username, new_role, unit, actor=_actor())
    where = f"，单位 {user.unit_name}" if user.unit_name else ""
    console.print(f"{user.username} 现为{ROLE_ZH[user.role]}{where} (role changed)")
