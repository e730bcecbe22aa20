"""The one parser of filters: query strings of every endpoint and options of every command.

Values are codes or their Chinese labels (`severity=重大` is `severity=major`), lists are comma
separated (a repeated parameter or option adds to the list), dates are YYYY-MM-DD within
2000-01-01…2100-12-31. A value that cannot be understood is one clear ValidationError (HTTP
422, OGC 400) naming the parameter and the values allowed — never a 500, never dropped.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from geo_service import bounds
from geo_service.clock import town_today
from geo_service.config import Settings
from geo_service.domain.vocabulary import (
    CATEGORY_BY_CODE,
    CATEGORY_BY_ZH,
    HAZARD_CATEGORIES,
    INCIDENT_TYPES_ZH,
    KEY_AREA_KIND_ZH,
    SEVERITY_ZH,
)
from geo_service.errors import ValidationError
from geo_service.scope.model import STATUS_ZH, Bbox, Scope, UnitRef

# Every query parameter the scope understands; anything else is left to the surface (`others`).
SCOPE_KEYS = (
    "as_of", "unit_id", "unit", "key_area_kind", "category", "category_group", "severity",
    "status", "department", "found_from", "found_to", "date_from", "date_to", "datetime",
    "period_from", "period_to", "bbox",
)  # fmt: skip
Query = Mapping[str, object]  # a value: text, a date, a number, or a list of them

_NAMES_ZH = {
    "unit_id": "单位",
    "unit": "单位",
    "key_area_kind": "重点区域类型",
    "category": "类别",
    "category_group": "隐患大类",
    "severity": "隐患等级",
    "status": "隐患状态",
    "department": "责任部门",
}
_KINDS = {k.value: k.value for k in KEY_AREA_KIND_ZH} | {
    zh: k.value for k, zh in KEY_AREA_KIND_ZH.items()
}
_SEVERITIES = {s.value: s.value for s in SEVERITY_ZH} | {
    zh: s.value for s, zh in SEVERITY_ZH.items()
}
_STATUSES = {s: s for s in STATUS_ZH} | {zh: s for s, zh in STATUS_ZH.items()}
_GROUPS = {c.group: c.group for c in HAZARD_CATEGORIES} | {
    c.group_zh: c.group for c in HAZARD_CATEGORIES
}
_HAZARD_CATEGORIES = {code: code for code in CATEGORY_BY_CODE} | {
    zh: c.code for zh, c in CATEGORY_BY_ZH.items()
}


def values(raw: str | Sequence[str] | None) -> tuple[str, ...]:
    """The items of a comma list (ASCII or full-width commas), or of several such lists."""
    if raw is None:
        return ()
    parts = [raw] if isinstance(raw, str) else list(raw)
    out = []
    for part in parts:
        out += [v.strip() for v in str(part).replace("，", ",").split(",") if v.strip()]
    return tuple(out)


def _bad(key: str, bad: Iterable[str], allowed: Iterable[str] | None = None) -> ValidationError:
    name = _NAMES_ZH.get(key, key)
    msg = f"{key}: {name}取值无效 invalid value {', '.join(map(repr, bad))}"
    if allowed is not None:
        msg += f"; 可选 allowed: {', '.join(allowed)}"
    return ValidationError(msg)


def _choose(key: str, raw: str | Sequence[str] | None, table: Mapping[str, str]) -> tuple[str, ...]:
    items = values(raw)
    bad = [v for v in items if v not in table]
    if bad:
        codes = dict.fromkeys(table.values())
        zh = [k for k in table if k not in codes]
        raise _bad(key, bad, [*codes, *zh])
    return tuple(dict.fromkeys(table[v] for v in items))


def parse_date(value: str, key: str) -> date:
    """A town date `YYYY-MM-DD` within the range of `geo_service.bounds` (2000–2100)."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(f"{key}: 日期无效 invalid date {value!r} (YYYY-MM-DD)") from None
    return bounds.check_date(day, key)


def parse_bbox(value: str | None) -> Bbox | None:
    """`minx,miny,maxx,maxy` in degrees (lon/lat, WGS84 / CRS84); 6 numbers (a 3-D box) keep
    their horizontal part. The one bbox parser of every surface."""
    if value is None or not value.strip():
        return None
    try:
        nums = [float(v) for v in value.split(",")]
    except ValueError:
        nums = []
    if len(nums) == 6:
        nums = [nums[0], nums[1], nums[3], nums[4]]
    ok = (
        len(nums) == 4
        and all(v == v for v in nums)  # not NaN
        and -180 <= nums[0] <= nums[2] <= 180
        and -90 <= nums[1] <= nums[3] <= 90
    )
    if not ok:
        raise ValidationError(
            f"bbox: 范围无效 invalid bbox {value!r} (minx,miny,maxx,maxy: 经纬度 lon/lat)"
        )
    return nums[0], nums[1], nums[2], nums[3]


def _units(key: str, raw: str | Sequence[str] | None, names: bool) -> tuple[UnitRef, ...]:
    """Ids (`unit_id`: digits only) or ids and names (`unit`, `department`)."""
    items = values(raw)

    def is_id(v: str) -> bool:
        return v.isascii() and v.isdigit()  # "²" is a digit to str.isdigit, not to int()

    if not names and (bad := [v for v in items if not is_id(v)]):
        raise _bad(key, bad, ["单位ID unit ids (digits); 按名称 by name: unit=甲村"])
    return tuple(bounds.check_int4(int(v), key) if is_id(v) else v for v in items)


def _instant(value: str, tz: ZoneInfo) -> date | datetime | None:
    value = value.strip()
    if value in ("", ".."):
        return None
    if len(value) == 10:
        return parse_date(value, "datetime")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(f"datetime: 时间无效 invalid datetime {value!r}") from None
    bounds.check_date(moment, "datetime")
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def as_instant(v: date | datetime, tz: ZoneInfo, end: bool = False) -> datetime:
    """A town date as the instant its day starts (with `end`, the next day starts); an
    instant as it is."""
    if isinstance(v, datetime):
        return v
    return datetime.combine(v + timedelta(days=1) if end else v, time(), tzinfo=tz)


def as_town_date(v: date | datetime, tz: ZoneInfo) -> date:
    """The town date of a date or an instant."""
    return v.astimezone(tz).date() if isinstance(v, datetime) else v


def _dates(q: Mapping[str, str], tz: ZoneInfo) -> dict[str, date | datetime | None]:
    d: dict[str, date | datetime | None] = {
        k: parse_date(q[k], k) if q.get(k) else None
        for k in ("found_from", "found_to", "date_from", "date_to", "period_from", "period_to")
    }
    if q.get("datetime"):
        parts = q["datetime"].split("/")
        if len(parts) > 2:
            raise ValidationError(
                "datetime: 应为时刻或 起/止 区间 invalid datetime (an instant or start/end)"
            )
        d["date_from"], d["date_to"] = _instant(parts[0], tz), _instant(parts[-1], tz)
    for lo, hi, what in (
        ("found_from", "found_to", "发现日期范围"),
        ("date_from", "date_to", "日期范围"),
        ("period_from", "period_to", "检查期间"),
    ):
        a, b = d[lo], d[hi]
        if a is not None and b is not None and as_instant(a, tz) > as_instant(b, tz):
            raise ValidationError(f"{what}无效 invalid range: {lo} is after {hi}")
    return d


def _flatten(query: Query) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, raw in query.items():
        if raw is None:
            continue
        if isinstance(raw, str):
            text = raw
        elif isinstance(raw, list | tuple):
            text = ",".join(str(v) for v in raw)
        else:  # a date, a number
            text = str(raw)
        out[key] = text
    return out


def parse_scope(query: Query, today: date, tz: ZoneInfo) -> Scope:
    """The scope of `query` (request parameters, or CLI options by the same names); the as-of
    day defaults to `today` (the town's, `clock.town_today`); `tz` reads datetimes."""
    q = _flatten(query)
    given = frozenset(q)
    categories = values(q.get("category"))
    bad = [v for v in categories if v not in _HAZARD_CATEGORIES and v not in INCIDENT_TYPES_ZH]
    if bad:
        raise _bad("category", bad, [*CATEGORY_BY_CODE, *INCIDENT_TYPES_ZH])
    d = _dates(q, tz)
    return Scope(
        as_of=parse_date(q["as_of"], "as_of") if q.get("as_of", "").strip() else today,
        units=tuple(
            dict.fromkeys(
                _units("unit_id", q.get("unit_id"), names=False)
                + _units("unit", q.get("unit"), names=True)
            )
        ),
        key_area_kinds=_choose("key_area_kind", q.get("key_area_kind"), _KINDS),
        categories=tuple(
            dict.fromkeys(_HAZARD_CATEGORIES[c] for c in categories if c in _HAZARD_CATEGORIES)
        ),
        category_groups=_choose("category_group", q.get("category_group"), _GROUPS),
        severities=_choose("severity", q.get("severity"), _SEVERITIES),
        statuses=_choose("status", q.get("status"), _STATUSES),
        departments=_units("department", q.get("department"), names=True),
        incident_types=tuple(dict.fromkeys(c for c in categories if c in INCIDENT_TYPES_ZH)),
        found_from=d["found_from"],  # type: ignore[arg-type]
        found_to=d["found_to"],  # type: ignore[arg-type]
        date_from=d["date_from"],
        date_to=d["date_to"],
        period_from=d["period_from"],  # type: ignore[arg-type]
        period_to=d["period_to"],  # type: ignore[arg-type]
        bbox=parse_bbox(q.get("bbox")),
        given=given,
        others=tuple((k, v) for k, v in q.items() if k not in SCOPE_KEYS),
        tz=tz,
    )


def make_scope(settings: Settings | None = None, **options: object) -> Scope:
    """The scope of `options` named like the query parameters (`as_of=date(2026, 5, 31)`,
    `unit=["甲村"]`, `severity="重大"`), for commands and library callers: the same parser,
    today and time zone of `settings` (default: the environment's)."""
    settings = settings or Settings()
    return parse_scope(options, town_today(settings), settings.tz)
