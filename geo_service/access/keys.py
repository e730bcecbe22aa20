"""API keys (API 密钥): long-lived credentials for desktop GIS and scripts.

A QGIS project kept open for weeks cannot live on a 30-minute token. An API key belongs to a
user, acts with that user's role and row-level security, and is sent like a token:
`Authorization: Bearer gsk_…`. It is shown once, when it is made; the database keeps only
its SHA-256.

Why SHA-256 and not Argon2 (as for passwords): a slow, salted hash protects secrets a person
chose, which can be guessed. A key is 256 random bits: no guess list reaches it, so a fast
hash loses nothing, and it lets every request find its key with one indexed equality lookup
instead of an Argon2 verification (tens of milliseconds and megabytes) per map tile.

Every request made with a key writes one audit row (`key_use`) and the key's last use, in
the statement that checks it; a refused revoked or expired key writes `key_refused`.
"""

import hashlib
import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, text

from geo_service.access.accounts import USERNAME_RE, get_user
from geo_service.access.tokens import TokenClaims
from geo_service.errors import NotFoundError, ValidationError

PREFIX = "gsk_"
_SECRET_BYTES = 32  # 256 bits
KEY_LENGTH = len(PREFIX) + 43  # token_urlsafe(32) is 43 characters
SHOWN = 12  # characters of a key kept in clear to tell keys apart (prefix + 8)
MAX_DAYS = 3650
NEVER = 2**62  # expires_at of a key without an expiry date


def looks_like_key(token: str | None) -> bool:
    return bool(token) and token.startswith(PREFIX) and len(token) == KEY_LENGTH


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _json(d: dict) -> str:
    return json.dumps(d, ensure_ascii=False, default=str)


def _audit(conn: Connection, actor: str, action: str, username: str, detail: dict) -> None:
    conn.execute(
        text(
            "INSERT INTO audit_log (actor, action, table_name, record_key, detail) "
            "VALUES (:actor, :action, 'api_keys', :key, CAST(:detail AS jsonb))"
        ),
        {"actor": actor, "action": action, "key": username, "detail": _json(detail)},
    )


def add_key(
    conn: Connection,
    username: str,
    name: str,
    expires_days: int | None = None,
    actor: str = "cli",
) -> tuple[str, dict[str, Any]]:
    """Make a key for `username`: (the key itself — never stored, shown once — and its row)."""
    name = (name or "").strip()
    if not 1 <= len(name) <= 64:
        raise ValidationError("key name: 1–64 characters (密钥名称为 1–64 个字符)")
    if expires_days is not None and not 1 <= expires_days <= MAX_DAYS:
        raise ValidationError(
            f"--expires: 1–{MAX_DAYS} days (有效期应为 1–{MAX_DAYS} 天)",
        )
    user = get_user(conn, username)
    taken = conn.execute(
        text(
            "SELECT 1 FROM api_keys WHERE user_id = :u AND name = :n AND revoked_at IS NULL "
            "AND (expires_at IS NULL OR expires_at > now())"
        ),
        {"u": user.id, "n": name},
    ).first()
    if taken:
        raise ValidationError(
            f"user {username!r} already has a valid key named {name!r} (同名密钥已存在): "
            "revoke it first or choose another name"
        )
    key = PREFIX + secrets.token_urlsafe(_SECRET_BYTES)
    expires_at = (
        datetime.now(UTC) + timedelta(days=expires_days) if expires_days is not None else None
    )
    conn.execute(
        text(
            "INSERT INTO api_keys (user_id, name, prefix, key_hash, created_by, expires_at) "
            "VALUES (:u, :n, :p, :h, :by, :exp)"
        ),
        {
            "u": user.id,
            "n": name,
            "p": key[:SHOWN],
            "h": digest(key),
            "by": actor,
            "exp": expires_at,
        },
    )
    _audit(
        conn,
        actor,
        "key_add",
        username,
        {"name": name, "key": key[:SHOWN], "expires_at": expires_at},
    )
    (row,) = list_keys(conn, username, name=name, valid_only=True)
    return key, row


_LIST = """
SELECT u.username, u.role, k.name, k.prefix, k.created_at, k.created_by, k.expires_at,
       k.revoked_at, k.last_used_at, k.use_count,
       CASE WHEN k.revoked_at IS NOT NULL THEN 'revoked'
            WHEN k.expires_at <= now() THEN 'expired'
            WHEN u.disabled THEN 'user_disabled'
            ELSE 'valid' END AS state
FROM api_keys k JOIN users u ON u.id = k.user_id
WHERE (CAST(:user AS text) IS NULL OR u.username = :user)
  AND (CAST(:name AS text) IS NULL OR k.name = :name)
  AND (NOT :valid_only OR (k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())))
ORDER BY u.username, k.created_at, k.id
"""

STATE_ZH = {
    "valid": "有效",
    "revoked": "已吊销",
    "expired": "已过期",
    "user_disabled": "用户已停用",
}


def list_keys(
    conn: Connection,
    username: str | None = None,
    name: str | None = None,
    valid_only: bool = False,
) -> list[dict[str, Any]]:
    """Keys (never their secret part), oldest first, with their last use and state."""
    if username is not None and not USERNAME_RE.match(username):
        raise NotFoundError(f"unknown user {username!r} (用户不存在)")
    rows = conn.execute(
        text(_LIST), {"user": username, "name": name, "valid_only": valid_only}
    ).mappings()
    return [dict(r) for r in rows]


def revoke_key(conn: Connection, username: str, name: str, actor: str = "cli") -> int:
    """Revoke the user's key `name` (its name or its shown prefix); the next request with it
    is refused. Returns how many keys were revoked (1)."""
    user = get_user(conn, username)
    done = conn.execute(
        text(
            "UPDATE api_keys SET revoked_at = now(), revoked_by = :by "
            "WHERE user_id = :u AND (name = :n OR prefix = :n) AND revoked_at IS NULL "
            "RETURNING name, prefix"
        ),
        {"u": user.id, "n": name, "by": actor},
    ).all()
    if not done:
        raise NotFoundError(
            f"user {username!r} has no key {name!r} that is not already revoked (无此密钥)"
        )
    for row in done:
        _audit(conn, actor, "key_revoke", username, {"name": row.name, "key": row.prefix})
    return len(done)


# One round trip per request: check the key, note its use and write the audit row.
_USE = text(
    """
    WITH k AS (
        UPDATE api_keys k SET last_used_at = now(), use_count = k.use_count + 1
        FROM users u
        WHERE k.key_hash = :h AND u.id = k.user_id AND NOT u.disabled
          AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
        RETURNING u.username, u.token_epoch, k.name, k.prefix, k.expires_at
    ), audit AS (
        INSERT INTO audit_log (actor, action, table_name, record_key, detail)
        SELECT username, 'key_use', 'api_keys', username,
               jsonb_build_object('name', name, 'key', prefix, 'request', CAST(:req AS text))
        FROM k
    )
    SELECT username, token_epoch, expires_at FROM k
    """
)
_REFUSED = text(
    """
    INSERT INTO audit_log (actor, action, table_name, record_key, detail)
    SELECT u.username, 'key_refused', 'api_keys', u.username,
           jsonb_build_object('name', k.name, 'key', k.prefix, 'request', CAST(:req AS text),
               'reason', CASE WHEN k.revoked_at IS NOT NULL THEN 'revoked'
                              WHEN k.expires_at <= now() THEN 'expired'
                              ELSE 'user_disabled' END)
    FROM api_keys k JOIN users u ON u.id = k.user_id
    WHERE k.key_hash = :h
    """
)


def use_key(engine: Engine, key: str, request: str) -> TokenClaims | None:
    """The claims a valid key stands for (its user, as of now), recording the use; None for
    an unknown, revoked or expired key or a disabled user (a known key's refusal is audited).

    `request` ("GET /path", no query string) goes into the audit row.
    """
    if not looks_like_key(key):
        return None
    params = {"h": digest(key), "req": request[:300]}
    with engine.begin() as conn:
        row = conn.execute(_USE, params).first()
        if row is None:
            conn.execute(_REFUSED, params)
            return None
    expires = int(row.expires_at.timestamp()) if row.expires_at else NEVER
    return TokenClaims(username=row.username, epoch=row.token_epoch, kind="key", expires_at=expires)


async def claims_for_request(scope: dict[str, Any], key: str) -> TokenClaims | None:
    """`use_key` for the request of `scope`, off the event loop (it is a database call)."""
    from starlette.concurrency import run_in_threadpool

    engine = scope["app"].state.engine
    request = f"{scope['method']} {scope['path']}"
    return await run_in_threadpool(use_key, engine, key, request)
