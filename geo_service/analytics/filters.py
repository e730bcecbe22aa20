"""The as-of date and the optional filters every analytic takes, with their SQL parameters."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, text

from geo_service import bounds
from geo_service.config import Settings
from geo_service.domain.rules import RuleParams, load_rule_params
from geo_service.domain.vocabulary import (
    CATEGORY_BY_CODE,
    CATEGORY_BY_ZH,
    KEY_AREA_KIND_ZH,
    SEVERITY_ZH,
    KeyAreaKind,
    Severity,
)
from geo_service.errors import NotFoundError, ValidationError


@dataclass(frozen=True)
class Filters:
    """What an analytic looks at, as of the date `as_of` (D).

    - `units`: unit names (单位名称); empty = every unit.
    - `key_area_kind`: only houses intersecting a key area of this kind (重点区域).
    - `categories`, `severity`, `found_from`, `found_to`: which hazards count (by 发现日期).
    - `period_from`, `period_to`: the inspection period of the investigation rate (排查率);
      default the calendar month of D up to D. Inspections after D never count.
    """

    as_of: date
    units: tuple[str, ...] = ()
    key_area_kind: str | None = None
    categories: tuple[str, ...] = ()
    severity: str | None = None
    found_from: date | None = None
    found_to: date | None = None
    period_from: date | None = None
    period_to: date | None = None

    @property
    def period(self) -> tuple[date, date]:
        """The inspection period, clipped to end on or before D."""
        start = self.period_from or self.as_of.replace(day=1)
        end = min(self.period_to or self.as_of, self.as_of)
        return start, end

    def params(self, rules: RuleParams) -> dict[str, Any]:
        """Bound parameters shared by every analytics SQL file."""
        start, end = self.period
        return {
            "as_of": self.as_of,
            "unit_names": list(self.units) or None,
            "key_area_kind": self.key_area_kind,
            "categories": list(self.categories) or None,
            "severity": self.severity,
            "found_from": self.found_from,
            "found_to": self.found_to,
            "period_from": start,
            "period_to": end,
            "cctv_min_rooms": rules.cctv_min_rooms,
            "cctv_min_beds": rules.cctv_min_beds,
            "cctv_min_tenants": rules.cctv_min_tenants,
            "cctv_min_retention_days": rules.cctv_min_retention_days,
        }

    def describe(self) -> dict[str, Any]:
        """The filters as JSON-able data, echoed in every response."""
        start, end = self.period
        return {
            "as_of": self.as_of.isoformat(),
            "units": list(self.units),
            "key_area_kind": self.key_area_kind,
            "categories": list(self.categories),
            "severity": self.severity,
            "found_from": self.found_from.isoformat() if self.found_from else None,
            "found_to": self.found_to.isoformat() if self.found_to else None,
            "period_from": start.isoformat(),
            "period_to": end.isoformat(),
        }


def _category(value: str) -> str:
    if value in CATEGORY_BY_CODE:
        return value
    if value in CATEGORY_BY_ZH:
        return CATEGORY_BY_ZH[value].code
    raise ValidationError(f"未知隐患类别 unknown hazard category: {value!r}")


def _severity(value: str) -> str:
    by_zh = {zh: s.value for s, zh in SEVERITY_ZH.items()}
    if value in by_zh:
        return by_zh[value]
    try:
        return Severity(value).value
    except ValueError:
        raise ValidationError(
            f"未知隐患等级 unknown severity {value!r} (重大/major, 一般/general)"
        ) from None


def _key_area_kind(value: str) -> str:
    by_zh = {zh: k.value for k, zh in KEY_AREA_KIND_ZH.items()}
    if value in by_zh:
        return by_zh[value]
    try:
        return KeyAreaKind(value).value
    except ValueError:
        kinds = ", ".join(f"{zh}/{k.value}" for k, zh in KEY_AREA_KIND_ZH.items())
        raise ValidationError(
            f"未知重点区域类型 unknown key-area kind {value!r} ({kinds})"
        ) from None


def make_filters(
    as_of: date | None = None,
    units: list[str] | tuple[str, ...] | None = None,
    key_area_kind: str | None = None,
    categories: list[str] | tuple[str, ...] | None = None,
    severity: str | None = None,
    found_from: date | None = None,
    found_to: date | None = None,
    period_from: date | None = None,
    period_to: date | None = None,
) -> Filters:
    """Validate user input (codes or Chinese labels) into `Filters`; D defaults to today."""
    for name, day in (("as_of", as_of), ("found_from", found_from), ("found_to", found_to),
                      ("period_from", period_from), ("period_to", period_to)):  # fmt: skip
        bounds.optional_date(day, name)
    if found_from and found_to and found_from > found_to:
        raise ValidationError("发现日期范围无效 found_from is after found_to")
    if period_from and period_to and period_from > period_to:
        raise ValidationError("检查期间无效 period_from is after period_to")
    return Filters(
        as_of=as_of or date.today(),
        units=tuple(u.strip() for u in units or () if u.strip()),
        key_area_kind=_key_area_kind(key_area_kind) if key_area_kind else None,
        categories=tuple(_category(c) for c in categories or ()),
        severity=_severity(severity) if severity else None,
        found_from=found_from,
        found_to=found_to,
        period_from=period_from,
        period_to=period_to,
    )


def check_units(conn: Connection, filters: Filters) -> None:
    """A unit name that does not exist is a user mistake, not an empty result."""
    if not filters.units:
        return
    known = set(
        conn.execute(
            text("SELECT name FROM units WHERE name = ANY(CAST(:n AS text[]))"),
            {"n": list(filters.units)},
        ).scalars()
    )
    missing = [u for u in filters.units if u not in known]
    if missing:
        raise NotFoundError(f"未知单位 unknown unit: {', '.join(missing)}")


def rule_params(settings: Settings | None) -> RuleParams:
    """The rule parameters of the town (GEO_RULES_PATH, else the packaged rules.toml)."""
    return load_rule_params(settings.rules_path if settings else None)


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of a `YYYY-MM` month."""
    try:
        year, mon = (int(x) for x in month.split("-"))
        first = date(year, mon, 1)
    except ValueError:
        raise ValidationError(f"月份格式应为 YYYY-MM (month must be YYYY-MM): {month!r}") from None
    bounds.check_date(first, "month")
    nxt = date(year + mon // 12, mon % 12 + 1, 1)
    return first, nxt - timedelta(days=1)
