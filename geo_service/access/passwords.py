"""Password hashing with Argon2id (argon2-cffi's recommended parameters)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from geo_service.errors import ValidationError

_HASHER = PasswordHasher()
# Verified against when the user does not exist, so a wrong user name costs as much time as
# a wrong password and response times do not reveal which user names exist.
_DUMMY_HASH = _HASHER.hash("not-a-password")

MIN_LENGTH = 10


def check_strength(password: str) -> None:
    """Refuse passwords too short to resist guessing (one clear line for the user)."""
    if len(password) < MIN_LENGTH:
        raise ValidationError(
            f"password too short: at least {MIN_LENGTH} characters (密码至少 {MIN_LENGTH} 位)"
        )
    if len(set(password)) < 4:
        raise ValidationError("password too simple (密码过于简单)")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; a missing hash still spends the time of a check."""
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's defaults."""
    return _HASHER.check_needs_rehash(password_hash)
