"""Password hashing with Argon2id (argon2-cffi's recommended parameters: 64 MiB, t=3, p=4)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from geo_service.errors import ValidationError

_hasher = PasswordHasher()
# Verified against when the user does not exist, so a wrong user name costs as much time as a
# wrong password and response times do not reveal which user names exist (the hash of a
# throw-away string, made with the default parameters).
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$iwMTUOqmQvxgjoyiD/Xxyw"
    "$HtU3vlK0CwXhIA1rJnDabuAlolfm6GmPuDv+iTn4MaA"
)

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
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; a missing hash still spends the time of a check."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def set_cost(time_cost: int, memory_cost_kib: int, parallelism: int) -> None:
    """Change the hashing cost (tests use a cheap one; stored hashes keep their own)."""
    global _hasher
    _hasher = PasswordHasher(
        time_cost=time_cost, memory_cost=memory_cost_kib, parallelism=parallelism
    )
