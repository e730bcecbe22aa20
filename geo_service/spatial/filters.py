"""Request filters → a WHERE clause over a registered layer, with every value a bound parameter.

A request may only use the filters its layer declares in the registry (`layers.registry`);
anything else is a ValidationError naming the accepted ones. Column names in the SQL come from
the registry, never from the request. The layer's SELECT is aliased `t`, so every condition is
written on `t.<column>` and PostgreSQL pushes it down to the base tables' indexes.
"""

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from geo_service import bounds
from geo_service.errors import ValidationError
from layers.registry import KEY_AREA_KINDS, Layer, Prop

TOWN_TZ = ZoneInfo("Asia/Shanghai")  # dates of the campaign are town dates
Bbox = tuple[float, float, float, float]


def quote_ident(name: str) -> str:
    """Quote an identifier that comes from the layer registry (never from request input)."""
    return '"' + name.replace('"', '""') + '"'


def today() -> date:
    """Today in the town's time zone (the default as-of date)."""
    return datetime.now(TOWN_TZ).date()


def parse_date(value: str, name: str) -> date:
    return bounds.parse_date(value, name)


def parse_bbox(value: str | None) -> Bbox | None:
    """`minx,miny,maxx,maxy` (lon/lat, CRS84); 6 numbers (3-D) keep their horizontal part."""
    if value is None or value == "":
        return None
    try:
        nums = [float(v) for v in value.split(",")]
    except ValueError:
        nums = []
    if len(nums) == 6:
        nums = [nums[0], nums[1], nums[3], nums[4]]
    finite = all(math.isfinite(n) for n in nums)
    if len(nums) != 4 or not finite or nums[0] > nums[2] or nums[1] > nums[3]:
        raise ValidationError(
            f"bbox: 应为 minx,miny,maxx,maxy 经纬度 (expected minx,miny,maxx,maxy, got {value!r})"
        )
    return nums[0], nums[1], nums[2], nums[3]


_TRUE = {"true", "1", "yes", "是", "t"}
_FALSE = {"false", "0", "no", "否", "f"}


def _value(prop: Prop, raw: str) -> Any:
    raw = raw.strip()
    bad = f"{prop.name}: 取值无效 (invalid value {raw!r})"
    if prop.choices is not None and raw not in prop.choices:
        raise ValidationError(f"{bad}; 可选 allowed: {', '.join(prop.choices)}")
    if prop.type == "integer":
        try:
            number = int(raw)
        except ValueError:
            raise ValidationError(f"{bad}; 应为整数 (expected an integer)") from None
        return bounds.check_int4(number, prop.name, minimum=-bounds.MAX_INT4)
    if prop.type == "number":
        try:
            return bounds.check_finite(float(raw), prop.name)
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


def _instant(value: str, name: str) -> datetime | date | None:
    value = value.strip()
    if value in ("", ".."):
        return None
    if len(value) == 10:
        return parse_date(value, name)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(f"{name}: 时间格式无效 (invalid datetime {value!r})") from None
    bounds.check_date(moment, name)
    return moment if moment.tzinfo else moment.replace(tzinfo=TOWN_TZ)


@dataclass
class Selection:
    """A layer with the request's filters, ready to be wrapped by a features/tiles/density query."""

    layer: Layer
    as_of: date
    where: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    echo: dict[str, str] = field(default_factory=dict)  # the filters as given (for links)

    def source(self, extra: Iterable[str] = (), located_only: bool = True) -> str:
        """`(<layer SELECT>) t WHERE …`: the FROM clause of a query over the filtered rows.

        `located_only=False` keeps rows without a geometry (counts per unit include houses not
        yet placed on the map).
        """
        conds = [*self.where, *extra]
        if located_only:
            conds.insert(0, f"t.{quote_ident(self.layer.geometry)} IS NOT NULL")
        return f"({self.layer.sql()}) t WHERE " + (" AND ".join(conds) or "true")


def accepted(layer: Layer) -> list[str]:
    """Names of the query parameters that filter `layer`."""
    # as_of is accepted everywhere so a client can send one date to every layer; layers
    # without history (houses, units, roads …) do not depend on it.
    names = ["as_of", "bbox", *layer.filters]
    if layer.temporal:
        names += ["date_from", "date_to", "datetime"]
    if layer.key_area_filter:
        names.append("key_area_kind")
    return names


def select(
    layer: Layer,
    query: Mapping[str, str],
    *,
    ignore: Iterable[str] = (),
    strict: bool = True,
    prefix: str = "",
) -> Selection:
    """Compile the filters in `query` (request query parameters) against `layer`.

    `ignore` names parameters the caller handles itself (limit, offset, size_m, …). With
    `strict`, unknown parameters are an error, so a misspelt filter never silently returns
    everything; without it they are left to another layer of the same query. `prefix` keeps
    the bound parameters of two layers in one statement apart (`:as_of` is shared).
    """
    ok = set(accepted(layer))
    skip = set(ignore) | {"f"}
    unknown = sorted(k for k in query if k not in ok and k not in skip)
    if unknown and strict:
        raise ValidationError(
            f"图层 {layer.name} 不支持参数 (unsupported parameter) {', '.join(unknown)}; "
            f"可用 accepted: {', '.join(accepted(layer))}"
        )
    given = {k: v for k, v in query.items() if k in ok and v not in (None, "")}
    sel = _compile(layer, given)
    if prefix:
        for key in [k for k in sel.params if k != "as_of"]:
            sel.params[prefix + key] = sel.params.pop(key)
            sel.where = [re.sub(rf":{key}\b", f":{prefix}{key}", w) for w in sel.where]
    return sel


def _compile(layer: Layer, given: Mapping[str, str]) -> Selection:
    sel = Selection(layer, today(), echo=dict(given))
    if "as_of" in given:
        sel.as_of = parse_date(given["as_of"], "as_of")
    if layer.as_of:
        sel.params["as_of"] = sel.as_of
    for name, prop in layer.filters.items():
        if name in given:
            values = [_value(prop, v) for v in given[name].split(",") if v.strip()]
            sel.where.append(f"t.{quote_ident(prop.name)} = ANY(:f_{name})")
            sel.params[f"f_{name}"] = values
    _temporal(sel, given)
    if "key_area_kind" in given:
        kinds = [k.strip() for k in given["key_area_kind"].split(",") if k.strip()]
        bad = [k for k in kinds if k not in KEY_AREA_KINDS]
        if bad:
            raise ValidationError(
                f"key_area_kind: 未知重点区域类型 (unknown kind) {', '.join(bad)}; "
                f"可选 allowed: {', '.join(KEY_AREA_KINDS)}"
            )
        sel.where.append(
            "EXISTS (SELECT 1 FROM key_areas ka WHERE ka.kind = ANY(:key_area_kind) "
            "AND ST_Intersects(ka.geom, t.geom))"
        )
        sel.params["key_area_kind"] = kinds
    if bbox := parse_bbox(given.get("bbox")):
        sel.where.append(
            "t.geom && ST_MakeEnvelope(:bx0, :by0, :bx1, :by1, 4326) "
            "AND ST_Intersects(t.geom, ST_MakeEnvelope(:bx0, :by0, :bx1, :by1, 4326))"
        )
        sel.params.update(zip(("bx0", "by0", "bx1", "by1"), bbox, strict=True))
    return sel


def _temporal(sel: Selection, given: Mapping[str, str]) -> None:
    """date_from / date_to (inclusive town dates) and OGC `datetime` (instant or a/b interval)."""
    prop_name = sel.layer.temporal
    if not prop_name:
        return
    lo: date | datetime | None = None
    hi: date | datetime | None = None
    if "date_from" in given:
        lo = parse_date(given["date_from"], "date_from")
    if "date_to" in given:
        hi = parse_date(given["date_to"], "date_to")
    if "datetime" in given:
        parts = given["datetime"].split("/")
        if len(parts) > 2:
            raise ValidationError("datetime: 应为时刻或 起/止 区间 (an instant or start/end)")
        lo = _instant(parts[0], "datetime")
        hi = _instant(parts[-1], "datetime")
    if lo is not None and hi is not None and _as_dt(lo, False) > _as_dt(hi, False):
        raise ValidationError("date_from 晚于 date_to (the period ends before it starts)")
    col = f"t.{quote_ident(prop_name)}"
    if sel.layer.prop(prop_name).type == "datetime":
        # A date bound covers the whole town day; an instant is compared exactly.
        if lo is not None:
            sel.where.append(f"{col} >= :t_from")
            sel.params["t_from"] = _as_dt(lo, False)
        if hi is not None:
            op = "<" if not isinstance(hi, datetime) else "<="
            sel.where.append(f"{col} {op} :t_to")
            sel.params["t_to"] = _as_dt(hi, True)
    else:
        if lo is not None:
            sel.where.append(f"{col} >= :t_from")
            sel.params["t_from"] = _town_date(lo)
        if hi is not None:
            sel.where.append(f"{col} <= :t_to")
            sel.params["t_to"] = _town_date(hi)


def _town_date(v: date | datetime) -> date:
    return v.astimezone(TOWN_TZ).date() if isinstance(v, datetime) else v


def _as_dt(v: date | datetime, end: bool) -> datetime:
    """A town date as the instant its day starts (or, with `end`, the next day starts)."""
    if isinstance(v, datetime):
        return v
    return datetime.combine(v + timedelta(days=1) if end else v, time(), tzinfo=TOWN_TZ)
