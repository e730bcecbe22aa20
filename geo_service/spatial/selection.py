"""A registered layer under a scope: the FROM clause features, tiles and density wrap.

The scope's filters become conditions through the one builder (`geo_service.scope.sql`), as
the layer's registry entry says it answers them (`ScopeUse`); the layer's own queryables
(`is_registered`, `road_class`, …) are equality filters on registry columns. A request may
only use what its layer accepts (`accepted`); anything else is a ValidationError naming the
accepted ones, so a misspelt filter never silently returns everything. Column names in the
SQL come from the registry, never from the request. The layer's SELECT is aliased `t`, so
every condition is written on `t.<column>` and PostgreSQL pushes it down to the base tables.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from geo_service.errors import ValidationError
from geo_service.scope import SCOPE_KEYS, Scope, ScopeSql
from geo_service.scope.parse import as_instant, as_town_date, parse_date, values
from layers.registry import Layer, Prop

_TRUE = {"true", "1", "yes", "是", "t"}
_FALSE = {"false", "0", "no", "否", "f"}


def quote_ident(name: str) -> str:
    """Quote an identifier that comes from the layer registry (never from request input)."""
    return '"' + name.replace('"', '""') + '"'


@dataclass
class Selection:
    """A layer's rows under a scope, ready to be wrapped by a features/tiles/density query.

    `rows` is the SELECT the conditions apply to: the layer's own, or one built around it
    (houses with their hazard counts)."""

    layer: Layer
    scope: Scope
    where: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    rows: str = ""
    extra_columns: tuple[str, ...] = ()  # columns of `rows` beyond the layer's properties

    @property
    def as_of(self) -> date:
        return self.scope.as_of

    def source(self, extra: Iterable[str] = (), located_only: bool = True) -> str:
        """`(<rows>) t WHERE …`: the FROM clause of a query over the filtered rows.

        `located_only=False` keeps rows without a geometry (counts per unit include houses not
        yet placed on the map).
        """
        conds = [*self.where, *extra]
        if located_only:
            conds.insert(0, f"t.{quote_ident(self.layer.geometry)} IS NOT NULL")
        return f"({self.rows or self.layer.sql()}) t WHERE " + (" AND ".join(conds) or "true")


def _scope_keys(layer: Layer) -> list[str]:
    use, keys = layer.scope, []
    if use.units:
        keys += ["unit_id", "unit"]
    if use.key_areas:
        keys.append("key_area_kind")
    if use.hazards or use.incidents:
        keys.append("category")
    if use.hazards:
        keys += ["category_group", "severity", "department", "found_from", "found_to"]
    if use.status:
        keys.append("status")
    if layer.temporal:
        keys += ["date_from", "date_to", "datetime"]
    return keys


def _own_filters(layer: Layer) -> dict[str, Prop]:
    return {name: p for name, p in layer.filters.items() if name not in SCOPE_KEYS}


def accepted(layer: Layer) -> list[str]:
    """Names of the query parameters that filter `layer`."""
    # as_of is accepted everywhere so a client can send one date to every layer; layers
    # without history (units, roads …) do not depend on it.
    return ["as_of", "bbox", *_scope_keys(layer), *_own_filters(layer)]


def _value(prop: Prop, raw: str) -> Any:
    bad = f"{prop.name}: 取值无效 (invalid value {raw!r})"
    if prop.choices is not None and raw not in prop.choices:
        raise ValidationError(f"{bad}; 可选 allowed: {', '.join(prop.choices)}")
    if prop.type == "integer":
        try:
            return int(raw)
        except ValueError:
            raise ValidationError(f"{bad}; 应为整数 (expected an integer)") from None
    if prop.type == "number":
        try:
            return float(raw)
        except ValueError:
            raise ValidationError(f"{bad}; 应为数字 (expected a number)") from None
    if prop.type == "boolean":
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise ValidationError(f"{bad}; 应为 true/false")
    if prop.type == "date":
        return parse_date(raw, prop.name)
    return raw


def _check_categories(layer: Layer, scope: Scope) -> None:
    """`category` names hazard categories on hazard layers, incident types on incidents."""
    if layer.scope.hazards and scope.incident_types:
        raise ValidationError(
            f"category: 警情类别不是隐患类别 invalid value {', '.join(scope.incident_types)} "
            "(an incident type, not a hazard category)"
        )
    if layer.scope.incidents and (scope.categories or scope.category_groups):
        raise ValidationError(
            f"category: 隐患类别不是警情类别 invalid value {', '.join(scope.categories)} "
            "(a hazard category, not an incident type)"
        )


def select(
    conn: Connection | None,
    layer: Layer,
    scope: Scope,
    *,
    ignore: Iterable[str] = (),
    strict: bool = True,
    prefix: str = "",
) -> Selection:
    """`layer` under `scope`, with the conditions and bound parameters of its filters.

    `ignore` names parameters the caller handles itself (limit, offset, size_m, …). With
    `strict`, a parameter the layer does not accept is an error; without it (the map sends
    one query to every overlay) it is left out. `prefix` keeps the bound parameters of two
    layers in one statement apart (`:as_of` is shared). `conn` resolves unit names and checks
    that units exist (None: the scope names no unit or department).
    """
    ok = set(accepted(layer))
    skip = set(ignore) | {"f"}
    if strict:
        unknown = sorted(k for k in scope.given if k not in ok and k not in skip)
        if unknown:
            raise ValidationError(
                f"图层 {layer.name} 不支持参数 (unsupported parameter) {', '.join(unknown)}; "
                f"可用 accepted: {', '.join(accepted(layer))}"
            )
        _check_categories(layer, scope)
    b = ScopeSql(scope if layer.scope.units else _without_units(scope), conn, prefix)
    sel = Selection(layer, scope)
    sel.where = _conditions(b, layer)
    sel.params = b.params
    if layer.as_of:
        sel.params["as_of"] = scope.as_of
    if ":tz" in layer.sql():
        sel.params["tz"] = scope.tz.key
    own = _own_filters(layer)
    for name, raw in scope.others:
        if name in own and (items := values(raw)):
            key = b.bind(name, [_value(own[name], v) for v in items])
            sel.where.append(f"t.{quote_ident(name)} = ANY({key})")
    return sel


def _without_units(scope: Scope) -> Scope:
    return replace(scope, units=())


def _conditions(b: ScopeSql, layer: Layer) -> list[str]:
    use, out = layer.scope, []
    if use.units == "column":
        out += b.units("t.unit_id")
    elif use.units == "area" and b.scope.units:
        ids = b.bind("unit_ids", b.unit_ids)
        out.append(
            f"EXISTS (SELECT 1 FROM units ua WHERE ua.id = ANY({ids}) "
            "AND ST_Intersects(ua.geom, t.geom))"
        )
    if use.key_areas == "house":
        out += b.key_areas("t.geom", "t.is_self_built")
    elif use.key_areas == "point":
        out += b.key_areas("t.geom")
    elif use.key_areas == "kind" and b.scope.key_area_kinds:
        out.append(f"t.kind = ANY({b.bind('ka_kinds', list(b.scope.key_area_kinds))})")
    if use.hazards:
        out += b.hazards("t", status=use.status)
    if use.incidents:
        out += b.incidents("t")
    out += _temporal(b, layer)
    out += b.bbox(f"t.{quote_ident(layer.geometry)}")
    return out


def _temporal(b: ScopeSql, layer: Layer) -> list[str]:
    """date_from / date_to (inclusive town dates) and OGC `datetime` on the layer's own date."""
    s = b.scope
    if not layer.temporal or (s.date_from is None and s.date_to is None):
        return []
    col, out = f"t.{quote_ident(layer.temporal)}", []
    if layer.prop(layer.temporal).type == "datetime":
        # A date bound covers the whole town day; an instant is compared exactly.
        if s.date_from is not None:
            out.append(f"{col} >= {b.bind('t_from', as_instant(s.date_from, s.tz))}")
        if s.date_to is not None:
            op = "<=" if isinstance(s.date_to, datetime) else "<"
            out.append(f"{col} {op} {b.bind('t_to', as_instant(s.date_to, s.tz, end=True))}")
    else:
        if s.date_from is not None:
            out.append(f"{col} >= {b.bind('t_from', as_town_date(s.date_from, s.tz))}")
        if s.date_to is not None:
            out.append(f"{col} <= {b.bind('t_to', as_town_date(s.date_to, s.tz))}")
    return out
