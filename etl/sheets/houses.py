"""Sheet 群租房: rental houses, by 房屋编号, placed by their coordinates or their address."""

from contextlib import nullcontext

import pandas as pd

from etl import checks
from etl.context import Context, SheetResult
from etl.gcj_check import check_shift
from etl.geocoder import GIVEN
from etl.load import upsert
from etl.parse import Parsed

# Plausibility limits of one property unit (产权单元); beyond them a typo is likelier.
LIMITS = {
    "rooms": 500,
    "beds": 2000,
    "tenants": 2000,
    "registered_tenants": 2000,
    "cctv_retention_days": 3650,
}
_TEXT = ["landlord_name", "landlord_id_number", "landlord_phone", "second_landlord_name"]
_FLAGS = ["is_registered", "pledge_signed", "cctv_installed", "is_self_built"]
_FLAGS += ["has_smoke_masks", "has_torches", "has_extinguishers"]
_INTS = ["rooms", "beds", "tenants", "registered_tenants", "cctv_retention_days"]
OPTIONAL = [
    "landlord_id_number",
    "landlord_phone",
    "second_landlord_name",
    "second_landlord_registered",
    "cctv_installed",
    "cctv_retention_days",
    "is_self_built",
    "last_inspected_on",
    "has_smoke_masks",
    "has_torches",
    "has_extinguishers",
    "electricity_kwh_month",
]


def _check(parsed: Parsed, ctx: Context) -> pd.Series:
    checks.duplicates(parsed, "house_code")
    unit_ids = checks.village_ids(parsed, "unit_name", ctx)
    checks.counts(parsed, LIMITS)
    f = parsed.frame
    reg, ten = parsed.column("registered_tenants"), parsed.column("tenants")
    exceeds = pd.Series(
        [r is not None and t is not None and r > t for r, t in zip(reg, ten, strict=True)],
        index=f.index,
        dtype=bool,
    )
    parsed.reject(exceeds, "registered_tenants", "registered_exceeds")
    second, second_reg = (
        parsed.column("second_landlord_name"),
        parsed.column("second_landlord_registered"),
    )
    said_registered = second_reg.map(lambda v: v is True).astype(bool)
    parsed.reject(
        second.isna() & said_registered, "second_landlord_registered", "second_landlord_missing"
    )
    if "second_landlord_registered" in parsed.present:
        parsed.reject(
            second.notna() & second_reg.isna(),
            "second_landlord_registered",
            "second_landlord_unregistered_missing",
        )
    if "landlord_id_number" in parsed.raw:
        raw = parsed.raw["landlord_id_number"]
        # Excel keeps 15 significant digits: an 18-digit ID typed as a number is already lost.
        numeric = raw.map(lambda v: isinstance(v, int | float) and abs(v) >= 1e15).astype(bool)
        parsed.reject(numeric, "landlord_id_number", "id_number_as_number")
    checks.not_future(parsed, ["last_inspected_on"], ctx.today)
    return unit_ids


def load(parsed: Parsed, ctx: Context, result: SheetResult) -> None:
    """Check the 群租房 rows, place them, and upsert the valid ones."""
    unit_ids = _check(parsed, ctx)
    lon, lat, systems = checks.coordinates(parsed, ctx)
    keep = ~parsed.frame["_row"].isin(parsed.rejections.bad_rows)
    valid = parsed.frame[keep]
    placed = ctx.geocoder.geocode(valid["address"].tolist(), unit_ids[keep].tolist())
    placed.index = valid.index
    given = lon[keep].notna()
    check_shift(ctx, lon[keep], lat[keep], systems[keep], placed)
    stage = pd.DataFrame({"row_no": valid["_row"], "house_code": valid["house_code"]})
    stage["unit_id"] = checks.to_int_column(unit_ids[keep])
    stage["address"] = valid["address"]
    for field in _TEXT + _FLAGS + ["second_landlord_registered", "last_inspected_on"]:
        stage[field] = valid.get(field, None)
    # "否" for a second landlord who does not exist says nothing: stored as unknown.
    stage.loc[stage["second_landlord_name"].isna(), "second_landlord_registered"] = None
    for field in _INTS:
        stage[field] = checks.to_int_column(valid[field]) if field in valid else None
    stage["electricity_kwh_month"] = valid.get("electricity_kwh_month")
    stage["lon"] = lon[keep].where(given, placed["lon"])
    stage["lat"] = lat[keep].where(given, placed["lat"])
    stage["geocode_method"] = placed["method"].where(~given, GIVEN)
    stage["geocode_confidence"] = placed["confidence"].where(~given, 1.0)
    stage["needs_review"] = placed["needs_review"].where(~given, False)
    ctx.result.geocoded.update(stage["geocode_method"].fillna("none"))
    absent = [f for f in OPTIONAL if f not in parsed.present]
    upsert(ctx, "houses", stage, result=result, absent=absent, key="house_code")
    _note_backdated(ctx, result.name, len(stage))


def _note_backdated(ctx: Context, sheet: str, rows: int) -> None:
    """Say so when the file is dated before some houses' current figures: its figures went
    into their history only (docs/history.md), which the counts alone would not tell."""
    scope = ctx.options.scope
    if not rows:
        return
    # The staging table is the uploader's own (under its role) until the transaction ends.
    with ctx.conn.cursor() as cur, scope.writing(cur) if scope else nullcontext():
        cur.execute(
            "SELECT count(*) FROM houses h JOIN stage_houses s ON s.house_code = h.house_code"
            " WHERE h.valid_from > %s",
            (ctx.effective,),
        )
        later = cur.fetchone()[0]
    if later:
        day = ctx.effective.isoformat()
        ctx.result.notes.append(
            f"{sheet}: {later} 户已有晚于台账日期 {day} 的记录，本表的数据记入这些房屋自 {day} "
            f"起的历史，现行记录不变 ({later} houses have later figures: this file's figures "
            f"are recorded as of {day} in their history, the current record is unchanged)"
        )
