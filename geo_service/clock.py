"""The town's clock: "today" is the date in the town's time zone (GEO_TIMEZONE), never the
host's. Every default as-of day and the response cache's key come from `town_today`, so a
server keeping UTC does not answer for yesterday until 08:00 in Shanghai.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from geo_service.config import Settings

Clock = Callable[[], datetime]  # the current instant (timezone-aware)


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


@cache
def _environment_settings() -> Settings:
    return Settings()


def town_tz(settings: Settings | None = None) -> ZoneInfo:
    """The town's time zone; without `settings`, the environment's (GEO_TIMEZONE)."""
    return (settings or _environment_settings()).tz


def town_today(settings: Settings | None = None, clock: Clock = utc_now) -> date:
    """Today's date in the town: the one default as-of day of every surface."""
    return clock().astimezone(town_tz(settings)).date()
