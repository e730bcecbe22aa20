"""Sheet 警情: public-security incidents, by 警情编号, placed by coordinates or address."""

import pandas as pd

from etl import checks
from etl.context import Context, SheetResult
from etl.gcj_check import check_shift
from etl.geocoder import GIVEN
from etl.load import upsert
from etl.parse import Parsed

OPTIONAL = ["summary"]


def load(parsed: Parsed, ctx: Context, result: SheetResult) -> None:
    """Check the 警情 rows, place them, and upsert the valid ones.

    警情类别 is open (police use more categories than 盗窃/纠纷/诈骗/火警/治安); the unit is
    the one the address names, else the one the point falls in.
    """
    checks.duplicates(parsed, "incident_code")
    checks.not_future(parsed, ["occurred_at"], ctx.today)
    lon, lat, systems = checks.coordinates(parsed, ctx)
    keep = ~parsed.frame["_row"].isin(parsed.rejections.bad_rows)
    valid = parsed.frame[keep]
    placed = ctx.geocoder.geocode(valid["address"].tolist(), [None] * len(valid))
    placed.index = valid.index
    given = lon[keep].notna()
    check_shift(ctx, lon[keep], lat[keep], systems[keep], placed)
    stage = pd.DataFrame({"row_no": valid["_row"], "incident_code": valid["incident_code"]})
    stage["occurred_at"] = valid["occurred_at"]
    stage["category"] = valid["category"]
    stage["address"] = valid["address"]
    stage["summary"] = valid.get("summary")
    stage["unit_id"] = checks.to_int_column(placed["unit_id"])
    stage["lon"] = lon[keep].where(given, placed["lon"])
    stage["lat"] = lat[keep].where(given, placed["lat"])
    stage["geocode_method"] = placed["method"].where(~given, GIVEN)
    stage["geocode_confidence"] = placed["confidence"].where(~given, 1.0)
    stage["needs_review"] = placed["needs_review"].where(~given, False)
    ctx.result.geocoded.update(stage["geocode_method"].fillna("none"))
    absent = [f for f in OPTIONAL if f not in parsed.present]
    upsert(ctx, "incidents", stage, result=result, absent=absent, key="incident_code")
