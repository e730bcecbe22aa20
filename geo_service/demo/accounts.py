"""Log-ins for the synthetic demo town: one account per role, so a newcomer can look around.

Passwords are random, kept in `<data_dir>/demo-accounts.txt` (mode 600) and printed by
`geo-service demo accounts`. Only a database holding the synthetic demo gets them.
"""

import secrets
from pathlib import Path

from sqlalchemy import Connection, text

from geo_service.access import accounts
from geo_service.errors import ValidationError

# (user name, role, unit) — units are the demo town's.
DEMO_ACCOUNTS = (
    ("leader", "leader", None),
    ("supervisor", "supervisor", None),
    ("police", "police", None),
    ("daixi", "village", "戴溪社区"),
    ("jianshe", "department", "建设局"),
    ("admin", "admin", None),
)


def _is_synthetic(conn: Connection) -> bool:
    value = conn.execute(
        text("SELECT value->>'synthetic' FROM meta WHERE key = 'dataset'")
    ).scalar_one_or_none()
    return value == "true"


def ensure_demo_accounts(conn: Connection, secrets_file: Path) -> list[tuple[str, str, str]]:
    """Create (or re-key) the demo accounts; return (user, role, password) rows."""
    if not _is_synthetic(conn):
        raise ValidationError(
            "demo accounts are only for the synthetic demo town (仅限演示数据): "
            "create real users with `geo-service users add`"
        )
    known = {}
    if secrets_file.exists():
        for line in secrets_file.read_text(encoding="utf-8").splitlines():
            user, _, password = line.partition("\t")
            known[user] = password
    rows = []
    for user, role, unit in DEMO_ACCOUNTS:
        exists = conn.execute(text("SELECT 1 FROM users WHERE username = :u"), {"u": user}).first()
        password = known.get(user)
        if not exists:
            password = password or secrets.token_urlsafe(9)
            accounts.add_user(conn, user, role, password, unit, actor="demo")
        elif password is None:  # the account exists but its password was not kept here
            password = secrets.token_urlsafe(9)
            accounts.set_password(conn, user, password, actor="demo")
        rows.append((user, role, password))
    secrets_file.parent.mkdir(parents=True, exist_ok=True)
    secrets_file.write_text("".join(f"{u}\t{p}\n" for u, _, p in rows), encoding="utf-8")
    secrets_file.chmod(0o600)
    return rows
