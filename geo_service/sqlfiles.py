"""Packaged SQL files: the one loader, with one include syntax and one fragment syntax.

- A line `-- @include name.sql` is replaced by the text of `name.sql` beside the including file;
  `-- @include package:path/name.sql` takes it from another package (`layers:sql/houses.sql`).
- `{{name}}` marks where code puts a fragment it builds: a filtered layer's FROM clause, the
  conditions of a scope (`geo_service.scope`). Fragments hold names from the layer registry
  and `:param` placeholders only, never request values: values always travel bound.

`query` and `render` drop whole-line comments (so neither a `:name` nor a `{{marker}}` in a
comment becomes SQL) and the trailing semicolon (a query may be used as a subquery); `script`
keeps the text as written, for DDL run on a raw cursor (migrations, setup, bulk loads).
Files are code, never request input.
"""

import re
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from sqlalchemy import TextClause, text

_INCLUDE = re.compile(r"^[ \t]*-- @include ([\w.]+:)?([\w./]+\.sql)[ \t]*$", re.MULTILINE)
_MARK = re.compile(r"\{\{(\w+)\}\}")


def _file(package: str, name: str) -> Traversable:
    return resources.files(package).joinpath(name)


@cache
def script(package: str, name: str) -> str:
    """The text of `name` (a path inside `package`) with its includes expanded."""
    raw = _file(package, name).read_text("utf-8")
    here = name.rsplit("/", 1)[0] + "/" if "/" in name else ""

    def include(m: re.Match) -> str:
        if m.group(1):  # package:path
            return script(m.group(1)[:-1], m.group(2))
        return script(package, here + m.group(2))

    return _INCLUDE.sub(include, raw)


@cache
def query(package: str, name: str) -> str:
    """`script` without whole-line comments and without the trailing semicolon."""
    lines = [ln for ln in script(package, name).splitlines() if not ln.lstrip().startswith("--")]
    return "\n".join(lines).strip().rstrip(";").rstrip()


def render(package: str, name: str, **fragments: str) -> str:
    """`query` with each `{{key}}` replaced by `fragments[key]` (every marker must be given)."""
    sql = query(package, name)
    missing = set(_MARK.findall(sql)) - set(fragments)
    if missing:
        raise KeyError(f"{package}:{name}: no fragment for {sorted(missing)}")
    return _MARK.sub(lambda m: fragments[m.group(1)], sql)


def statement(package: str, name: str, **fragments: str) -> TextClause:
    """A SQLAlchemy text clause of `render(package, name, **fragments)`."""
    return text(render(package, name, **fragments))
