"""The 台账日期 (effective date) of an import: the day its house figures took effect.

A village's 台账 records how its houses stood on a day; imported with that day, it becomes the
houses' figures from then on, and a 台账 for an earlier day goes into their history
(docs/history.md). The day is judged once here, for the CLI, the upload API and its page.
"""

from datetime import date

from geo_service.bounds import parse_date
from geo_service.errors import ValidationError


def check_effective(day: date, today: date, name: str = "台账日期 effective") -> date:
    """`day` when a 台账 may be dated so: not after today (it records what has happened)."""
    if day > today:
        raise ValidationError(
            f"{name}: {day.isoformat()} 晚于今天 {today.isoformat()}，台账日期不能是将来的日期 "
            "(the effective date may not be after today)"
        )
    return day


def parse_effective(value: str | None, today: date, name: str = "台账日期 effective") -> date:
    """A `YYYY-MM-DD` effective date from a command line or a form; empty: today."""
    if value is None or not value.strip():
        return today
    return check_effective(parse_date(value, name), today, name)
