"""`geo_service.domain.rules.due_date`, vectorised over numpy `datetime64[D]` arrays.

The demo generates hundreds of thousands of hazards; calling the scalar rule per row would be
the slowest part of the load. This is the same rule (the tests compare both on every day of
several years, month ends included): the notice's deadline if any, else 7 days for a major
hazard, else the same day 3 calendar months later, clamped to the end of a shorter month
(31 Jan → 30 Apr), as `dateutil.relativedelta` does.
"""

import numpy as np

from geo_service.domain.rules import RuleParams


def add_months(days: np.ndarray, months: int) -> np.ndarray:
    """`days` + `months` calendar months, the day clamped to the target month's length."""
    month = days.astype("datetime64[M]")
    day_of_month = (days - month.astype("datetime64[D]")).astype(np.int64)
    target = month + np.timedelta64(months, "M")
    start = target.astype("datetime64[D]")
    length = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - start).astype(np.int64)
    return start + np.minimum(day_of_month, length - 1).astype("timedelta64[D]")


def due_dates(
    found_on: np.ndarray, major: np.ndarray, notice_deadline: np.ndarray, p: RuleParams
) -> np.ndarray:
    """整改期限 per hazard: `notice_deadline` where not NaT, else the plan's rule."""
    by_rule = np.where(
        major,
        found_on + np.timedelta64(p.major_deadline_days, "D"),
        add_months(found_on, p.general_deadline_months),
    )
    return np.where(np.isnat(notice_deadline), by_rule, notice_deadline)
