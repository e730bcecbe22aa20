"""One "today": the date in the town's time zone (GEO_TIMEZONE), by a clock tests can fix.

A server keeping UTC must not answer for yesterday until 08:00 in Shanghai, and the response
cache must not serve yesterday's default answer after the town's midnight.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from access_helpers import login_as
from fastapi.testclient import TestClient
from one_answer_data import load

from geo_service.api.app import create_app
from geo_service.clock import town_today
from geo_service.config import Settings

# 2026-06-30 16:30 UTC is 2026-07-01 00:30 in Shanghai (UTC+8).
LATE_EVENING_UTC = datetime(2026, 6, 30, 16, 30, tzinfo=UTC)


def test_today_is_the_towns_date():
    def clock() -> datetime:
        return LATE_EVENING_UTC

    assert town_today(Settings(), clock) == date(2026, 7, 1)  # default Asia/Shanghai
    assert town_today(Settings(timezone="UTC"), clock) == date(2026, 6, 30)
    assert town_today(Settings(timezone="America/New_York"), clock) == date(2026, 6, 30)
    with pytest.raises(ValueError, match="GEO_TIMEZONE"):
        Settings(timezone="Mars/Olympus_Mons")


class FixedClock:
    """A clock that stands still until moved."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def clocked(new_database) -> Iterator[tuple[TestClient, FixedClock]]:
    from geo_service.db import make_engine

    url = new_database("today")
    engine = make_engine(url, pool_size=1)
    load(engine)
    engine.dispose()
    clock = FixedClock(datetime(2026, 6, 30, 15, 50, tzinfo=UTC))  # 23:50 in Shanghai
    with TestClient(create_app(Settings(database_url=url), clock=clock)) as client:
        yield login_as(client, "police"), clock


def test_the_default_day_and_the_cache_key_follow_the_towns_midnight(clocked):
    client, clock = clocked
    first = client.get("/analytics/overdue")
    assert first.json()["filters"]["as_of"] == "2026-06-30"
    assert first.headers["x-cache"] == "miss"
    assert client.get("/analytics/overdue").headers["x-cache"] == "hit"
    # 20 minutes later it is 00:10 on July 1st in the town (still June 30th in UTC): the
    # default day moves on, and yesterday's cached answer is not served for it.
    clock.now = datetime(2026, 6, 30, 16, 10, tzinfo=UTC)
    second = client.get("/analytics/overdue")
    assert second.json()["filters"]["as_of"] == "2026-07-01"
    assert second.headers["x-cache"] == "miss"
    # Z1 (due 06-27), Z5 (06-15), Z10 (05-08) overdue on both days; nothing falls due on
    # June 30th, so the counts agree, but each day is its own answer.
    assert first.json()["overdue_count"] == second.json()["overdue_count"] == 3


def test_every_default_day_is_the_towns(clocked):
    client, clock = clocked
    clock.now = LATE_EVENING_UTC  # July 1st, 00:30 in Shanghai
    assert client.get("/map/data/summary").json()["as_of"] == "2026-07-01"
    assert client.get("/tiles/hazards.json").json()["as_of"] == "2026-07-01"
    assert client.get("/analytics/scores").json()["filters"]["as_of"] == "2026-07-01"
    # The page offers the town's today as the last day of its date picker.
    assert 'max="2026-07-01"' in client.get("/map").text
