"""Row checks shared by the sheets: counts, dates, duplicates, units, coordinates."""

from datetime import date, datetime

import numpy as np
import pandas as pd

from etl.context import Context
from etl.parse import Parsed
from etl.values import each, each_distinct
from geo_service.crs import CoordSystem, parse_coord_system, to_wgs84
from geo_service.errors import ValidationError
from geo_service.sqlfiles import script


def sql(name: str) -> str:
    """A packaged SQL file of `etl/sql`."""
    return script("etl", f"sql/{name}")


def counts(parsed: Parsed, limits: dict[str, int]) -> None:
    """Whole numbers ≥ 0 and below a plausibility limit."""
    for field, limit in limits.items():
        if field not in parsed.frame:
            continue
        v = pd.to_numeric(parsed.frame[field], errors="coerce")
        parsed.reject(v < 0, field, "negative")
        parsed.reject(v > limit, field, "too_large", limit=limit)


def not_future(parsed: Parsed, fields: list[str], today: date) -> None:
    for field in fields:
        if field in parsed.frame:
            values = parsed.frame[field]
            day = each(values, lambda v: v.date() if isinstance(v, datetime) else v)
            late = day.map(lambda d: d is not None and d > today).astype(bool)
            parsed.reject(late, field, "future_date", today=today.isoformat())


def not_before(parsed: Parsed, field: str, reference: str, key: str) -> None:
    """`field` must not be earlier than `reference` (both dates, either may be empty)."""
    if field not in parsed.frame or reference not in parsed.frame:
        return
    a, b = parsed.frame[field], parsed.frame[reference]
    early = pd.Series(
        [x is not None and y is not None and x < y for x, y in zip(a, b, strict=True)],
        index=parsed.frame.index,
        dtype=bool,
    )
    parsed.reject(early, field, key)


def natural_key(parsed: Parsed) -> pd.Series:
    """Each row's natural key: its key field, or the tuple of the sheet's key fields (None
    where a part is empty — the required check reports that)."""
    fields = parsed.sheet.key_fields
    if len(fields) == 1:
        return parsed.frame[fields[0]] if fields[0] in parsed.frame else parsed.column(fields[0])
    parts = [parsed.column(f) for f in fields]
    rows = zip(*parts, strict=True)
    keys = [None if any(v is None or v is pd.NaT for v in t) else t for t in rows]
    return pd.Series(keys, index=parsed.frame.index, dtype=object)


def shown_key(key: object) -> str:
    """A key as a message quotes it: a composite one as its parts joined by ' / '."""
    if isinstance(key, tuple):
        return " / ".join(v.isoformat() if hasattr(v, "isoformat") else str(v) for v in key)
    return key


def duplicates(parsed: Parsed, field: str) -> None:
    """The natural key may appear once per file; later rows say where the first one is.

    `field` is where a refusal is shown; the key is the sheet's (several fields for 检查记录).
    """
    keys = natural_key(parsed)
    dup = keys.notna() & keys.duplicated(keep="first")
    if not dup.any():
        return
    first_row = dict(zip(keys[::-1], parsed.frame["_row"][::-1], strict=True))
    reason = "duplicate_key" if len(parsed.sheet.key_fields) == 1 else "duplicate_record"
    for idx in parsed.frame.index[dup]:
        parsed.rejections.add(
            int(parsed.frame.at[idx, "_row"]),
            parsed.header(field),
            shown_key(keys[idx]),
            reason,
            first=int(first_row[keys[idx]]),
        )


def village_ids(parsed: Parsed, field: str, ctx: Context) -> pd.Series:
    """所属单位 → unit id (aliases such as 戴溪村 for 戴溪社区 accepted); unknown ones rejected."""
    names = parsed.column(field)
    resolved = each_distinct(names, ctx.normalizer.resolve_unit)
    ids = each_distinct(resolved, lambda n: ctx.units[n][0] if n in ctx.units else None)
    given = names.notna()
    department = each_distinct(names, lambda n: ctx.units.get(n, (None, ""))[1] == "department")
    department = department.astype(bool)
    parsed.reject(given & ids.isna() & department, field, "not_a_village")
    for idx in parsed.frame.index[given & ids.isna() & ~department]:
        parsed.rejections.add(
            int(parsed.frame.at[idx, "_row"]),
            parsed.header(field),
            names[idx],
            "unknown_unit",
        )
    return ids


def coordinates(parsed: Parsed, ctx: Context) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Given coordinates converted to WGS84 (NaN where none), and each row's stated system.

    Checks: both or neither of 经度/纬度, a known 坐标系, ranges, swapped columns, inside the
    town (unit boundaries, or the configured extent while none is loaded).
    """
    n = len(parsed.frame)
    lon = pd.to_numeric(parsed.column("lon"), errors="coerce").astype(float)
    lat = pd.to_numeric(parsed.column("lat"), errors="coerce").astype(float)
    default = ctx.options.crs or CoordSystem.WGS84
    systems = pd.Series([default] * n, index=parsed.frame.index, dtype=object)
    if "crs" in parsed.frame:
        bad_crs = pd.Series(False, index=parsed.frame.index)
        for idx, written in parsed.frame["crs"].items():
            try:
                systems[idx] = parse_coord_system(written, default)
            except ValidationError:
                bad_crs[idx] = True
        parsed.reject(bad_crs, "crs", "bad_crs")
    one_only = lon.isna() != lat.isna()
    parsed.reject(one_only, "lon" if "lon" in parsed.frame else "lat", "coords_incomplete")
    both = lon.notna() & lat.notna()
    swapped = both & (lon.abs() <= 90) & (lat.abs() > 90) & (lat.abs() <= 180)
    parsed.reject(swapped, "lon", "coords_swapped")
    out_of_range = both & ~swapped & ((lon.abs() > 180) | (lat.abs() > 90))
    parsed.reject(out_of_range, "lon", "coords_range")
    usable = both & ~swapped & ~out_of_range
    wlon, wlat = lon.where(usable), lat.where(usable)
    for system in set(systems[usable]):
        sel = usable & (systems == system)
        x, y = to_wgs84(lon[sel].to_numpy(), lat[sel].to_numpy(), system)
        wlon[sel], wlat[sel] = x, y
    _inside_town(parsed, ctx, wlon, wlat)
    return wlon, wlat, systems


def _inside_town(parsed: Parsed, ctx: Context, lon: pd.Series, lat: pd.Series) -> None:
    sel = lon.notna()
    if not sel.any():
        return
    with ctx.conn.cursor() as cur:
        cur.execute(
            sql("outside_town.sql"),
            {
                "lon": lon[sel].tolist(),
                "lat": lat[sel].tolist(),
                "bbox": list(ctx.town.bbox),
                "tolerance_m": 100.0,
            },
        )
        outside = [i - 1 for (i,) in cur.fetchall()]
    index = parsed.frame.index[sel][outside]
    for idx in index:
        parsed.rejections.add(
            int(parsed.frame.at[idx, "_row"]),
            parsed.header("lon"),
            f"{parsed.raw.at[idx, 'lon']}, {parsed.raw.at[idx, 'lat']}",
            "outside_town",
            lon=float(lon[idx]),
            lat=float(lat[idx]),
        )


def to_int_column(values: pd.Series) -> pd.Series:
    """Python ints (or None) in an object column, so COPY writes `12`, never `12.0`."""
    out = [None if v is None or pd.isna(v) else int(v) for v in values]
    return pd.Series(out, index=values.index, dtype=object)


def as_float(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)


def duplicates_across_sheets(
    parsed: Parsed, field: str, sheet: str, seen: dict[object, tuple[str, int]]
) -> None:
    """A key may appear on one sheet of a file only (one sheet per village): a later sheet's
    row with a key an earlier sheet holds is refused, never left to overwrite it.

    `seen` (key → first sheet and row) is shared by the sheets of one template in a file.
    """
    keys = natural_key(parsed)
    given = keys.notna()
    clash = given & keys.isin(list(seen))
    for idx in parsed.frame.index[clash]:
        first_sheet, first_row = seen[keys[idx]]
        parsed.rejections.add(
            int(parsed.frame.at[idx, "_row"]),
            parsed.header(field),
            shown_key(keys[idx]),
            "duplicate_key_sheet",
            sheet=first_sheet,
            first=first_row,
        )
    fresh = given & ~clash
    for key, row in zip(keys[fresh], parsed.frame.loc[fresh, "_row"], strict=True):
        seen.setdefault(key, (sheet, int(row)))
