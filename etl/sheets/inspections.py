"""Sheet 检查记录: inspections of houses and whether they found a hazard (docs/inspections.md).

A row is identified by house, day, kind and inspecting unit (检查单位): importing it again
updates it. 检查单位 is kept as written and linked to the unit it names when it names a
known one. After the rows are written, hazards of the same houses that link to no inspection
yet are linked to the one inspection of their house on their 发现日期 (sql/link_hazards.sql).
"""

import pandas as pd

from etl import checks
from etl.context import Context, SheetResult
from etl.load import upsert
from etl.parse import Parsed
from etl.values import each
from geo_service.domain.vocabulary import INSPECTION_KIND_BY_ZH, INSPECTION_KIND_ZH, InspectionKind

# 检查类型 as offices write it: the four of the template, their codes, a few common variants.
KIND_BY_WRITTEN = {zh: kind.value for zh, kind in INSPECTION_KIND_BY_ZH.items()}
KIND_BY_WRITTEN |= {k.value: k.value for k in InspectionKind}
KIND_BY_WRITTEN |= {
    "专项": "special",
    "督查": "supervision",
    "联合督查": "supervision",
    "督导检查": "supervision",
    "回头看检查": "review",
    "复查": "review",
}


def _house_ids(ctx: Context, codes: pd.Series) -> pd.Series:
    wanted = sorted({c for c in codes if c is not None})
    with ctx.conn.cursor() as cur:
        cur.execute("SELECT house_code, id FROM houses WHERE house_code = ANY(%s)", (wanted,))
        found = dict(cur.fetchall())
    return each(codes, found.get)


def _unit_id(ctx: Context, name: str | None) -> int | None:
    """The unit 检查单位 names: exactly a unit's name, or a village's alias (戴溪村)."""
    if name is None:
        return None
    hit = ctx.units.get(name) or ctx.units.get(ctx.normalizer.resolve_unit(name) or "")
    return hit[0] if hit else None


def _check(parsed: Parsed, ctx: Context) -> pd.DataFrame:
    f = parsed.frame
    written = parsed.column("kind_zh")
    kind = each(written, lambda v: KIND_BY_WRITTEN.get(str(v).strip().lower()))
    parsed.reject(written.notna() & kind.isna(), "kind_zh", "bad_inspection_kind")
    if "kind_zh" in f:  # 联合督查 and 督导 are one kind: one key, written the template's way
        f["kind_zh"] = kind.map(lambda k: INSPECTION_KIND_ZH[k] if k else None).where(
            kind.notna(), f["kind_zh"]
        )
    checks.duplicates(parsed, "house_code")
    codes = parsed.column("house_code")
    house_id = _house_ids(ctx, codes)
    for idx in f.index[codes.notna() & house_id.isna()]:
        parsed.rejections.add(int(f.at[idx, "_row"]), parsed.header("house_code"), codes[idx],
                              "unknown_house")  # fmt: skip
    checks.not_future(parsed, ["inspected_on"], ctx.today)
    unit_id = each(parsed.column("unit_name"), lambda n: _unit_id(ctx, n))
    return pd.DataFrame({"house_id": house_id, "kind": kind, "unit_id": unit_id})


def load(parsed: Parsed, ctx: Context, result: SheetResult) -> None:
    """Check the 检查记录 rows, upsert the valid ones, link hazards to them."""
    derived = _check(parsed, ctx)
    keep = ~parsed.frame["_row"].isin(parsed.rejections.bad_rows)
    valid, derived = parsed.frame[keep], derived[keep]
    stage = pd.DataFrame({"row_no": valid["_row"]})
    stage["house_id"] = checks.to_int_column(derived["house_id"])
    stage["inspected_on"] = valid["inspected_on"]
    stage["kind"] = derived["kind"]
    stage["unit_name"] = valid["unit_name"]
    stage["unit_id"] = checks.to_int_column(derived["unit_id"])
    stage["found_hazard"] = valid.get("found_hazard")
    stage["notes"] = valid.get("notes")
    # A column the file does not have keeps its stored value (an empty cell clears it).
    params = {
        "keep_found": "found_hazard" not in parsed.present,
        "keep_notes": "notes" not in parsed.present,
        "house_ids": sorted(set(stage["house_id"])),
    }
    upsert(ctx, "inspections", stage, result=result, params=params)
