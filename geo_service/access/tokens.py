"""Signed tokens (JWT, HS256) for the API and the map's session cookie.

A token says who logged in and which `token_epoch` of the user it belongs to; the user's row
is still checked on every request, so logout, a password change or disabling the user voids
every token issued before at once.
"""

import secrets
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import jwt

from geo_service.config import Settings
from geo_service.errors import SetupError

ALGORITHM = "HS256"
PLACEHOLDER_SECRET = "change-me"
MIN_SECRET_LENGTH = 32
ISSUER = "qunzufang-gis"


@dataclass(frozen=True)
class TokenClaims:
    username: str
    epoch: int
    kind: str  # "access" (bearer) or "session" (cookie)
    expires_at: int


def signing_key(settings: Settings) -> str:
    """The key tokens are signed with.

    Production refuses the placeholder and short keys. In development the placeholder is
    replaced by a random key kept in the data directory (mode 600), so a default install
    never signs with a publicly known key.
    """
    key = settings.secret_key
    if key != PLACEHOLDER_SECRET:
        if settings.environment == "production" and len(key) < MIN_SECRET_LENGTH:
            raise SetupError(
                f"GEO_SECRET_KEY is shorter than {MIN_SECRET_LENGTH} characters "
                "(生产环境密钥过短); generate one with `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`"
            )
        return key
    if settings.environment == "production":
        raise SetupError(
            "GEO_SECRET_KEY is the placeholder 'change-me': set a random secret of at least "
            f"{MIN_SECRET_LENGTH} characters before running in production (生产环境必须设置密钥)"
        )
    return _development_key(settings.resolved_data_dir)


def _development_key(data_dir: Path) -> str:
    path = data_dir / "secret_key"
    try:
        if path.exists():
            return path.read_text().strip()
        data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key + "\n")
        path.chmod(0o600)
        return key
    except OSError:
        # Unwritable data directory: a per-process key (tokens die with the process).
        return _PROCESS_KEY


_PROCESS_KEY = secrets.token_urlsafe(48)


def issue(key: str, username: str, epoch: int, kind: str, lifetime_s: int) -> tuple[str, int]:
    """A signed token and its expiry (Unix seconds)."""
    now = int(time.time())
    exp = now + int(lifetime_s)
    claims = {
        "sub": username,
        "ep": int(epoch),
        "typ": kind,
        "iat": now,
        "exp": exp,
        "iss": ISSUER,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM), exp


def decode(key: str, token: str) -> TokenClaims | None:
    """The claims of a valid, unexpired token of ours; None for anything else."""
    try:
        c = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["sub", "exp", "iat", "iss"]},
        )
    except jwt.PyJWTError:
        return None
    if not isinstance(c.get("sub"), str) or not isinstance(c.get("ep"), int):
        return None
    if c.get("typ") not in ("access", "session"):
        return None
    return TokenClaims(username=c["sub"], epoch=c["ep"], kind=c["typ"], expires_at=c["exp"])
