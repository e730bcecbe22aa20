"""The map's filters: parsed from the query string, bound as SQL parameters, written back to URLs.

The same query string drives the page, its data requests, the vector tiles and the exports, so a
shared link, a GeoJSON export and the PNG of the view all show the same selection. Parameter
names and values are those of the layer API (`/ogc`, `/tiles`): `unit_id`, `key_area_kind`,
`category`, `severity`, `status` (each may be a comma list) and `as_of`.
"""

from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from dateutil.relativedelta import relativedelta

from geo_service import bounds
from geo_service.domain.vocabulary import CATEGORY_BY_CODE, KeyAreaKind, Severity
from geo_service.errors import ValidationError

# 隐患状态 on the as-of day, mutually exclusive: open = 未整改且未逾期.
STATUS_ZH = {"open": "在期未整改", "overdue": "逾期未整改", "rectified": "已整改"}
BASEMAPS = ("none", "tianditu", "amap", "osm")
FILTER_KEYS = ("unit_id", "key_area_kind", "category", "severity", "status", "as_of")
_CHOICES: dict[str, set[str]] = {
    "key_area_kind": {k.value for k in KeyAreaKind},
    "category": set(CATEGORY_BY_CODE),
    "severity": {s.value for s in Severity},
    "status": set(STATUS_ZH),
}
_NAMES_ZH = {
    "unit_id": "单位",
    "key_area_kind": "重点区域类型",
    "category": "隐患类别",
    "severity": "隐患等级",
    "status": "隐患状态",
}


@dataclass(frozen=True)
class MapFilters:
    """What the map shows. An empty tuple means "all"; `as_of` defaults to today."""

    unit_id: tuple[int, ...] = ()
    key_area_kind: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    severity: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    as_of: date | None = None

    @property
    def day(self) -> date:
        """The as-of day (today when unset)."""
        return self.as_of or date.today()

    def month_before(self) -> "MapFilters":
        """The same selection one calendar month earlier (for 'since last month' trends)."""
        return replace(self, as_of=self.day - relativedelta(months=1))

    def sql_params(self) -> dict[str, Any]:
        """Bound parameters for the packaged SQL: lists, or NULL for "no filter"."""
        p: dict[str, Any] = {k: list(getattr(self, k)) or None for k in FILTER_KEYS[:-1]}
        p["as_of"] = self.day
        return p

    def pairs(self) -> dict[str, str]:
        """The set filters as query parameters (comma lists)."""
        out = {k: ",".join(map(str, getattr(self, k))) for k in FILTER_KEYS[:-1]}
        if self.as_of:
            out["as_of"] = self.as_of.isoformat()
        return {k: v for k, v in out.items() if v}

    def query(self, **extra: str) -> str:
        """The query string of the set filters, plus `extra` parameters."""
        return urlencode({**self.pairs(), **{k: v for k, v in extra.items() if v}})


def _is_number(value: str) -> bool:
    return value.isascii() and value.isdigit()  # "²" is a digit to str.isdigit, not to int()


def _list(params: dict[str, str], key: str) -> tuple[str, ...]:
    values = tuple(v.strip() for v in (params.get(key) or "").split(",") if v.strip())
    allowed = _CHOICES.get(key)
    bad = [v for v in values if (not _is_number(v) if allowed is None else v not in allowed)]
    if bad:
        raise ValidationError(
            f"{_NAMES_ZH[key]}取值无效 invalid {key}: {', '.join(bad)}"
            + (f" (可选 allowed: {', '.join(sorted(allowed))})" if allowed else "")
        )
    return values


def parse_filters(params: dict[str, str]) -> MapFilters:
    """Validate the query parameters; a bad value is one clear error (422), never a crash."""
    as_of = (params.get("as_of") or "").strip()
    day = None
    if as_of:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            raise ValidationError(f"日期无效 invalid as_of: {as_of!r} (YYYY-MM-DD)") from None
        bounds.check_date(day, "as_of")
    return MapFilters(
        unit_id=tuple(bounds.check_int4(int(v), "unit_id") for v in _list(params, "unit_id")),
        key_area_kind=_list(params, "key_area_kind"),
        category=_list(params, "category"),
        severity=_list(params, "severity"),
        status=_list(params, "status"),
        as_of=day,
    )


def parse_basemap(value: str | None, default: str) -> str:
    """The basemap asked for in the URL, else the configured one."""
    value = (value or "").strip() or default
    if value not in BASEMAPS:
        raise ValidationError(f"底图无效 invalid basemap: {value!r} ({', '.join(BASEMAPS)})")
    return value
