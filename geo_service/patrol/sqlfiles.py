"""The packaged SQL files of the route planner (`sql/*.sql`): code, never request input."""

from functools import cache
from importlib import resources

from sqlalchemy import TextClause, text


@cache
def sql(name: str) -> TextClause:
    """A SQLAlchemy text clause for `sql/<name>`; values travel as bound parameters."""
    return text(resources.files("geo_service.patrol").joinpath("sql", name).read_text("utf-8"))
