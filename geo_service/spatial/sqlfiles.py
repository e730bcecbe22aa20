"""The packaged SQL of the spatial analytics (`geo_service/spatial/sql/*.sql`).

`-- @include name.sql` pulls in a shared fragment; `{{name}}` marks where code puts a fragment
it builds from the layer registry (a filtered layer's FROM clause, aggregate columns). Those
fragments hold registry names and `:param` placeholders only — never request values.
Comment lines are dropped first, so a `{{marker}}` or `:name` in a comment never becomes SQL.
"""

import re
from functools import cache
from importlib import resources

_INCLUDE = re.compile(r"^\s*-- @include ([a-z_]+\.sql)\s*$")
_MARK = re.compile(r"\{\{(\w+)\}\}")


@cache
def source(name: str) -> str:
    """The text of `sql/<name>`, includes expanded, comment lines removed."""
    raw = resources.files("geo_service.spatial.sql").joinpath(name).read_text("utf-8")
    lines = []
    for line in raw.splitlines():
        if m := _INCLUDE.match(line):
            lines.append(source(m.group(1)))
        elif not line.lstrip().startswith("--"):
            lines.append(line)
    return "\n".join(lines).strip().rstrip(";")


def render(name: str, **fragments: str) -> str:
    """`sql/<name>` with each `{{key}}` replaced by `fragments[key]` (all must be given)."""
    text = source(name)
    missing = set(_MARK.findall(text)) - set(fragments)
    if missing:
        raise KeyError(f"{name}: no fragment for {sorted(missing)}")
    return _MARK.sub(lambda m: fragments[m.group(1)], text)
