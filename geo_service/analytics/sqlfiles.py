"""Packaged SQL files, with one include mechanism so shared rule fragments are written once.

A line `-- @include _name.sql` is replaced by that file's text. Files are code, never request
input; values always travel as bound parameters.
"""

import re
from functools import cache
from importlib import resources

from sqlalchemy import TextClause, text

_INCLUDE = re.compile(r"^[ \t]*-- @include (_[a-z_]+\.sql)[ \t]*$", re.MULTILINE)


@cache
def sql_source(name: str) -> str:
    """The text of `sql/<name>` with its includes expanded (one level is all we use)."""
    raw = resources.files("geo_service.analytics").joinpath("sql", name).read_text("utf-8")
    return _INCLUDE.sub(lambda m: sql_source(m.group(1)), raw)


def sql(name: str) -> TextClause:
    """A SQLAlchemy text clause for `sql/<name>`."""
    return text(sql_source(name))
