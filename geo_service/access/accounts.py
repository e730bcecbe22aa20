"""User accounts: creation, passwords, lock-out, disabling, and the check made on every request.

These functions run on an owner connection (the CLI, or the API before it switches to the
user's database role): the API roles have no privilege on `users` at all.
"""

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from geo_service.access.passwords import (
    check_strength,
    hash_password,
    needs_rehash,
    verify_password,
)
from geo_service.access.roles import ROLE_ZH, UNIT_KINDS, Role, parse_role
from geo_service.errors import NotFoundError, ValidationError

USERNAME_RE = re.compile(r"^[\w.@-]{2,64}$")


@dataclass(frozen=True)
class Principal:
    """Who is asking: the user's row as of this request."""

    id: int
    username: str
    role: Role
    unit_id: int | None
    unit_name: str | None
    display_name: str | None
    epoch: int

    @property
    def village_unit_id(self) -> int | None:
        return self.unit_id if self.role == Role.VILLAGE else None

    @property
    def department_id(self) -> int | None:
        return self.unit_id if self.role == Role.DEPARTMENT else None


class LoginRefused(Exception):
    """A login that must fail (401), with the message to show."""


_SELECT = """
    SELECT u.id, u.username, u.role, u.unit_id, n.name AS unit_name, u.display_name,
           u.token_epoch, u.disabled, u.password_hash, u.failed_logins, u.locked_until,
           coalesce(u.locked_until > now(), false) AS locked
    FROM users u LEFT JOIN units n ON n.id = u.unit_id
"""


def _principal(row: Any) -> Principal:
    return Principal(
        id=row.id,
        username=row.username,
        role=Role(row.role),
        unit_id=row.unit_id,
        unit_name=row.unit_name,
        display_name=row.display_name,
        epoch=row.token_epoch,
    )


def _resolve_unit(conn: Connection, role: Role, unit: str | None) -> int | None:
    kinds = UNIT_KINDS.get(role)
    if kinds is None:
        if unit:
            raise ValidationError(f"role {role.value} is not bound to a unit (该角色不绑定单位)")
        return None
    if not unit:
        raise ValidationError(
            f"role {role.value} ({ROLE_ZH[role]}) needs --unit: the unit it belongs to (需指定单位)"
        )
    row = conn.execute(
        text("SELECT id, kind FROM units WHERE name = :u OR id::text = :u"), {"u": unit}
    ).first()
    if row is None:
        raise NotFoundError(f"unknown unit {unit!r} (未知单位)")
    if row.kind not in kinds:
        raise ValidationError(
            f"unit {unit!r} is a {row.kind}, role {role.value} needs a {' or '.join(kinds)} "
            "(单位类型与角色不符)"
        )
    return row.id


def audit_admin(conn: Connection, actor: str, action: str, username: str, detail: dict) -> None:
    """Record an account change (never a password or its hash)."""
    conn.execute(
        text(
            "INSERT INTO audit_log (actor, action, table_name, record_key, detail) "
            "VALUES (:actor, :action, 'users', :key, CAST(:detail AS jsonb))"
        ),
        {"actor": actor, "action": action, "key": username, "detail": _json(detail)},
    )


def _json(d: dict) -> str:
    import json

    return json.dumps(d, ensure_ascii=False, default=str)


def add_user(
    conn: Connection,
    username: str,
    role: str,
    password: str,
    unit: str | None = None,
    display_name: str | None = None,
    actor: str = "cli",
) -> Principal:
    """Create a user; the unit is required for village and department users."""
    if not USERNAME_RE.match(username):
        raise ValidationError(
            "user name: 2–64 letters, digits or . _ @ - (用户名只能包含字母、数字和 ._@-)"
        )
    try:
        r = parse_role(role)
    except ValueError as e:
        raise ValidationError(str(e)) from None
    check_strength(password)
    unit_id = _resolve_unit(conn, r, unit)
    if conn.execute(text("SELECT 1 FROM users WHERE username = :u"), {"u": username}).first():
        raise ValidationError(f"user {username!r} already exists (用户已存在)")
    conn.execute(
        text(
            "INSERT INTO users (username, display_name, password_hash, role, unit_id) "
            "VALUES (:u, :d, :h, :r, :unit)"
        ),
        {
            "u": username,
            "d": display_name,
            "h": hash_password(password),
            "r": r.value,
            "unit": unit_id,
        },
    )
    audit_admin(conn, actor, "user_add", username, {"role": r.value, "unit_id": unit_id})
    return get_user(conn, username)


def get_user(conn: Connection, username: str) -> Principal:
    row = conn.execute(text(_SELECT + " WHERE u.username = :u"), {"u": username}).first()
    if row is None:
        raise NotFoundError(f"unknown user {username!r} (用户不存在)")
    return _principal(row)


def list_users(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(text(_SELECT + " ORDER BY u.username")).mappings().all()
    return [
        {
            "username": r["username"],
            "role": r["role"],
            "role_zh": ROLE_ZH[Role(r["role"])],
            "unit": r["unit_name"],
            "display_name": r["display_name"],
            "disabled": r["disabled"],
            "locked_until": r["locked_until"] if r["locked"] else None,
        }
        for r in rows
    ]


def set_disabled(conn: Connection, username: str, disabled: bool, actor: str = "cli") -> None:
    """Disable (or enable) a user; a disabled user's open sessions stop working at once."""
    done = conn.execute(
        text(
            "UPDATE users SET disabled = :d, token_epoch = token_epoch + 1 "
            "WHERE username = :u RETURNING id"
        ),
        {"d": disabled, "u": username},
    ).first()
    if done is None:
        raise NotFoundError(f"unknown user {username!r} (用户不存在)")
    audit_admin(conn, actor, "user_disable" if disabled else "user_enable", username, {})


def set_password(conn: Connection, username: str, password: str, actor: str = "cli") -> None:
    """Set a new password, lift a lock-out and void the user's open sessions."""
    check_strength(password)
    done = conn.execute(
        text(
            "UPDATE users SET password_hash = :h, token_epoch = token_epoch + 1, "
            "failed_logins = 0, locked_until = NULL WHERE username = :u RETURNING id"
        ),
        {"h": hash_password(password), "u": username},
    ).first()
    if done is None:
        raise NotFoundError(f"unknown user {username!r} (用户不存在)")
    audit_admin(conn, actor, "user_password", username, {})


def authenticate(
    conn: Connection, username: str, password: str, max_failures: int, lockout_minutes: int
) -> Principal:
    """The user when the password matches; LoginRefused otherwise.

    After `max_failures` consecutive bad passwords the account is locked for
    `lockout_minutes`; while locked, even the right password is refused. An unknown user, a
    wrong password and a locked account get the same message, so a caller cannot tell
    whether a user name exists (the check costs the same time too).
    """
    row = conn.execute(
        text(_SELECT + " WHERE u.username = :u FOR UPDATE OF u"), {"u": username}
    ).first()
    ok = verify_password(row.password_hash if row else None, password)
    refused = LoginRefused(
        f"用户名或密码错误，或账户因连续 {max_failures} 次密码错误已锁定 {lockout_minutes} 分钟 "
        f"wrong user name or password, or the account is locked for {lockout_minutes} min "
        f"after {max_failures} failed logins"
    )
    if row is None or row.locked:
        raise refused
    if not ok:
        failures = row.failed_logins + 1
        lock = failures >= max_failures
        conn.execute(
            text(
                "UPDATE users SET failed_logins = :f, locked_until = CASE WHEN :lock "
                "THEN now() + make_interval(mins => :mins) END WHERE id = :id"
            ),
            {"f": 0 if lock else failures, "lock": lock, "mins": lockout_minutes, "id": row.id},
        )
        if lock:
            audit_admin(conn, "system", "user_locked", username, {"failures": failures})
        raise refused
    if row.disabled:
        raise LoginRefused("账户已停用 account disabled")
    conn.execute(
        text(
            "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = now(), "
            "password_hash = coalesce(:rehash, password_hash) WHERE id = :id"
        ),
        # Hashes made with older (weaker) parameters are upgraded while the password is at hand.
        {
            "id": row.id,
            "rehash": hash_password(password) if needs_rehash(row.password_hash) else None,
        },
    )
    return _principal(row)


def current(conn: Connection, username: str, epoch: int) -> Principal | None:
    """The user behind a token, as of now: None when unknown, disabled, locked out or logged
    out since."""
    row = conn.execute(text(_SELECT + " WHERE u.username = :u"), {"u": username}).first()
    if row is None or row.disabled or row.locked or row.token_epoch != epoch:
        return None
    return _principal(row)


def logout(conn: Connection, username: str, epoch: int) -> None:
    """Void every token of the user (all devices), when `epoch` is still theirs: a token
    already void logs nobody out. A locked-out user may log out too (their tokens must not
    come back when the lock-out ends)."""
    conn.execute(
        text(
            "UPDATE users SET token_epoch = token_epoch + 1 "
            "WHERE username = :u AND token_epoch = :e AND NOT disabled"
        ),
        {"u": username, "e": epoch},
    )


def set_role(
    conn: Connection, username: str, role: str, unit: str | None = None, actor: str = "cli"
) -> Principal:
    """Give a user another role (and unit: required for village and department users); the
    user's open sessions end, so the new rights apply from the next login."""
    try:
        r = parse_role(role)
    except ValueError as e:
        raise ValidationError(str(e)) from None
    unit_id = _resolve_unit(conn, r, unit)
    done = conn.execute(
        text(
            "UPDATE users SET role = :r, unit_id = :unit, token_epoch = token_epoch + 1 "
            "WHERE username = :u RETURNING id"
        ),
        {"r": r.value, "unit": unit_id, "u": username},
    ).first()
    if done is None:
        raise NotFoundError(f"unknown user {username!r} (用户不存在)")
    audit_admin(conn, actor, "user_role", username, {"role": r.value, "unit_id": unit_id})
    return get_user(conn, username)
