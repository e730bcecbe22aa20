"""The range every request value must lie in, checked before it reaches PostgreSQL or date
arithmetic: a value out of range is the user's mistake (one clear 422), never a 500.

Dates: the campaign's records start after 2000 and no plan looks beyond 2100; outside that
window Python's date arithmetic (a year back, a month back) and PostgreSQL's date ranges stop
being safe. Ids and counts: PostgreSQL `integer` (int4) columns, offsets that fit `bigint`.
"""

import math
from datetime import date, datetime

from geo_service.errors import ValidationError

MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2100, 12, 31)
MAX_INT4 = 2**31 - 1  # the largest id of an `integer` column
MAX_OFFSET = MAX_INT4  # far beyond any list; the page is simply empty


def check_date(value: date, name: str) -> date:
    """`value` when it lies in MIN_DATE..MAX_DATE, else a ValidationError naming `name`."""
    day = value.date() if isinstance(value, datetime) else value
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValidationError(
            f"{name}: 日期应在 {MIN_DATE.isoformat()} 至 {MAX_DATE.isoformat()} 之间 "
            f"(a date within {MIN_DATE.isoformat()}..{MAX_DATE.isoformat()}, got {value})"
        )
    return value


def optional_date(value: date | None, name: str) -> date | None:
    """`check_date` for a value that may be absent."""
    return None if value is None else check_date(value, name)


def parse_date(value: str, name: str) -> date:
    """A `YYYY-MM-DD` request value, checked against the date range."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(
            f"{name}: 日期格式应为 YYYY-MM-DD (expected a date, got {value!r})"
        ) from None
    return check_date(day, name)


def check_int4(value: int, name: str, minimum: int = 0) -> int:
    """`value` when it fits an `integer` column (and is at least `minimum`)."""
    if not minimum <= value <= MAX_INT4:
        raise ValidationError(
            f"{name}: 应为 {minimum}–{MAX_INT4} 之间的整数 "
            f"(an integer within {minimum}..{MAX_INT4}, got {value})"
        )
    return value


def check_finite(value: float, name: str) -> float:
    """`value` when it is a finite number (not NaN, not ±infinity)."""
    if not math.isfinite(value):
        raise ValidationError(f"{name}: 应为有限数值 (a finite number, got {value})")
    return value
