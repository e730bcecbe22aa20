"""The one builder: a scope → SQL conditions over named columns, every value a bound parameter.

Conditions are written on a row alias the caller names (`t` for a layer's rows, `h` for
houses, `z` for hazard states) and on fixed column names — `unit_id`, `geom`, `is_self_built`
for a house; `category`, `severity`, `status`, `department_id`, `found_on` for a hazard — so
PostgreSQL pushes them down to the base tables' indexes. Only given filters produce a
condition: no `:x IS NULL OR …` that would keep a generic plan off an index.
"""

from typing import Any

from sqlalchemy import Connection, text

from geo_service.domain.vocabulary import HAZARD_CATEGORIES
from geo_service.errors import NotFoundError
from geo_service.scope.model import Scope, UnitRef

_UNITS = text(
    "SELECT id, name, kind FROM units "
    "WHERE id = ANY(CAST(:ids AS integer[])) OR name = ANY(CAST(:names AS text[]))"
)


def resolve_units(
    conn: Connection | None, refs: tuple[UnitRef, ...], known: frozenset[str] = frozenset()
) -> dict[UnitRef, tuple]:
    """Each ref (id or name) → its units row (id, name, kind). An unknown one is a 404,
    except names in `known` (names that mean something without being a unit)."""
    if not refs:
        return {}
    if conn is None:
        raise TypeError("resolving units needs a database connection")
    ids = [r for r in refs if isinstance(r, int)]
    names = [r for r in refs if isinstance(r, str)]
    rows = conn.execute(_UNITS, {"ids": ids, "names": names}).all()
    by_id = {r.id: tuple(r) for r in rows}
    by_name = {r.name: tuple(r) for r in rows}
    found = {ref: (by_id if isinstance(ref, int) else by_name).get(ref) for ref in refs}
    missing = [str(ref) for ref, row in found.items() if row is None and ref not in known]
    if missing:
        raise NotFoundError(f"未知单位 unknown unit: {', '.join(missing)}")
    return {ref: row for ref, row in found.items() if row is not None}


class ScopeSql:
    """SQL conditions of one scope. `prefix` keeps the parameters of two uses of a scope in one
    statement apart (`:as_of` stays shared)."""

    def __init__(self, scope: Scope, conn: Connection | None, prefix: str = "") -> None:
        self.scope = scope
        self.prefix = prefix
        self.params: dict[str, Any] = {}
        units = resolve_units(conn, scope.units)
        self.unit_ids = sorted({row[0] for row in units.values()})
        self.unit_names = sorted({row[1] for row in units.values()})
        self._departments(conn)
        self._categories()

    def _departments(self, conn: Connection | None) -> None:
        """A 责任部门 is a department unit (by id or name), or a category's default department
        (by name): a hazard belongs to it when recorded for it, or recorded for none and of a
        category that department handles by default."""
        self.department_ids: list[int] = []
        self.department_categories: list[str] = []
        if not self.scope.departments:
            return
        defaults = frozenset(c.department_zh for c in HAZARD_CATEGORIES)
        try:
            rows = resolve_units(conn, self.scope.departments, known=defaults).values()
        except NotFoundError as e:
            raise NotFoundError(str(e).replace("未知单位", "未知责任部门")) from None
        named = {d for d in self.scope.departments if isinstance(d, str)}
        names = (named & defaults) | {row[1] for row in rows}
        self.department_ids = sorted({row[0] for row in rows})
        self.department_categories = sorted(
            c.code for c in HAZARD_CATEGORIES if c.department_zh in names
        )

    def _categories(self) -> None:
        s = self.scope
        cats: set[str] | None = set(s.categories) if s.categories else None
        if s.category_groups:
            in_groups = {c.code for c in HAZARD_CATEGORIES if c.group in s.category_groups}
            cats = in_groups if cats is None else cats & in_groups
        self.category_codes = None if cats is None else sorted(cats)

    def bind(self, name: str, value: Any) -> str:
        """`:<prefix>sc_<name>` bound to `value` (`sc_`: never the name of a parameter of the
        SQL the conditions are put into)."""
        key = f"{self.prefix}sc_{name}"
        self.params[key] = value
        return f":{key}"

    # --- conditions, each a list of SQL boolean expressions (ANDed by the caller)

    def units(self, column: str) -> list[str]:
        """The unit filter on a unit id column."""
        if not self.scope.units:
            return []
        return [f"{column} = ANY({self.bind('unit_ids', self.unit_ids)})"]

    def bbox(self, geom: str) -> list[str]:
        """The point (or shape) `geom` inside the box: the && test uses the GiST index."""
        if self.scope.bbox is None:
            return []
        x0, y0, x1, y1 = (
            self.bind(k, v)
            for k, v in zip(("bx0", "by0", "bx1", "by1"), self.scope.bbox, strict=True)
        )
        env = f"ST_MakeEnvelope({x0}, {y0}, {x1}, {y1}, 4326)"
        if self.scope.bbox[:2] == self.scope.bbox[2:]:  # a box of no size: a point (a house)
            env = f"ST_SetSRID(ST_MakePoint({x0}, {y0}), 4326)"
        return [f"{geom} && {env}", f"ST_Intersects({geom}, {env})"]

    def key_areas(self, geom: str, self_built: str | None = None) -> list[str]:
        """Inside a key area of the kinds; `self_built` names the house's 自建房 flag, which
        counts for `rural_self_built` (SPEC §2: a 农村自建房 is an area or a building)."""
        kinds = self.scope.key_area_kinds
        if not kinds:
            return []
        kind = self.bind("ka_kinds", list(kinds))
        inside = (
            f"EXISTS (SELECT 1 FROM key_areas ka WHERE ka.kind = ANY({kind}) "
            f"AND ST_Intersects(ka.geom, {geom}))"
        )
        if self_built and "rural_self_built" in kinds:
            return [f"({inside} OR {self_built} IS TRUE)"]
        return [inside]

    def houses(self, t: str) -> list[str]:
        """Which houses (row `t` with unit_id, geom, is_self_built): unit, key area, bbox."""
        return [
            *self.units(f"{t}.unit_id"),
            *self.key_areas(f"{t}.geom", f"{t}.is_self_built"),
            *self.bbox(f"{t}.geom"),
        ]

    def hazards(self, t: str, status: bool = True) -> list[str]:
        """Which hazards (row `t` of `hazard_state`): category and group, severity, 责任部门,
        discovery dates and, with `status`, the status on D."""
        s, out = self.scope, []
        if self.category_codes is not None:
            out.append(f"{t}.category = ANY({self.bind('categories', self.category_codes)})")
        if s.severities:
            out.append(f"{t}.severity = ANY({self.bind('severities', list(s.severities))})")
        if s.departments:
            ids = self.bind("department_ids", self.department_ids)
            cats = self.bind("department_categories", self.department_categories)
            out.append(
                f"({t}.department_id = ANY({ids}) "
                f"OR ({t}.department_id IS NULL AND {t}.category = ANY({cats})))"
            )
        if s.found_from:
            out.append(f"{t}.found_on >= {self.bind('found_from', s.found_from)}")
        if s.found_to:
            out.append(f"{t}.found_on <= {self.bind('found_to', s.found_to)}")
        if status and s.statuses:
            out.append(f"{t}.status = ANY({self.bind('statuses', list(s.statuses))})")
        return out

    def incidents(self, t: str) -> list[str]:
        """Which incidents (row `t` with category): their type."""
        if not self.scope.incident_types:
            return []
        return [
            f"{t}.category = ANY({self.bind('incident_types', list(self.scope.incident_types))})"
        ]


def where(conditions: list[str]) -> str:
    """The conditions ANDed (`true` when there is none)."""
    return " AND ".join(conditions) or "true"
