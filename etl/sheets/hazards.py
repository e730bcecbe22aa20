"""Sheet 隐患: hazards, by 隐患编号, attached to a house and (when transferred) a department."""

import pandas as pd

from etl import checks
from etl.context import Context, SheetResult
from etl.load import upsert
from etl.parse import Parsed
from etl.values import each
from geo_service.domain.vocabulary import CATEGORY_BY_CODE, CATEGORY_BY_ZH, SEVERITY_ZH

_SEVERITY = {zh: code.value for code, zh in SEVERITY_ZH.items()}
_SEVERITY |= {"重大隐患": "major", "一般隐患": "general", "major": "major", "general": "general"}
_DATES = ["found_on", "deadline_on", "transferred_on", "rectified_on", "verified_on"]
OPTIONAL = ["severity_zh", "deadline_on", "department_name", "transferred_on", "rectified_on"]
OPTIONAL += ["description", "verified_on"]
_STAGE_OPTIONAL = {
    "deadline_on": "deadline_on",
    "department_name": "department_id",
    "transferred_on": "transferred_on",
    "rectified_on": "rectified_on",
    "description": "description",
    "verified_on": "verified_on",
}


def _category(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).replace(" ", "").replace(",", "，")
    hit = CATEGORY_BY_ZH.get(text) or CATEGORY_BY_ZH.get(text.replace("，", "、"))
    if hit is None and text in CATEGORY_BY_CODE:
        hit = CATEGORY_BY_CODE[text]
    return hit.code if hit else None


def _house_ids(ctx: Context, codes: pd.Series) -> pd.Series:
    """房屋编号 → house id, for the codes of this sheet (the transaction's view)."""
    wanted = sorted({c for c in codes if c is not None})
    with ctx.conn.cursor() as cur:
        cur.execute("SELECT house_code, id FROM houses WHERE house_code = ANY(%s)", (wanted,))
        found = dict(cur.fetchall())
    return each(codes, found.get)


def _stored_deadlines(ctx: Context, codes: pd.Series) -> pd.Series:
    with ctx.conn.cursor() as cur:
        cur.execute(
            "SELECT hazard_code, deadline_on FROM hazards WHERE hazard_code = ANY(%s)",
            (codes.tolist(),),
        )
        found = dict(cur.fetchall())
    return each(codes, found.get)


def _check(parsed: Parsed, ctx: Context) -> pd.DataFrame:
    checks.duplicates(parsed, "hazard_code")
    f = parsed.frame
    house_id = _house_ids(ctx, parsed.column("house_code"))
    codes = parsed.column("house_code")
    for idx in f.index[codes.notna() & house_id.isna()]:
        parsed.rejections.add(
            int(f.at[idx, "_row"]),
            parsed.header("house_code"),
            codes[idx],
            "unknown_house",
        )
    category = each(parsed.column("category_zh"), _category)
    parsed.reject(
        parsed.column("category_zh").notna() & category.isna(),
        "category_zh",
        "unknown_category",
    )
    written = parsed.column("severity_zh")
    severity = each(written, lambda v: _SEVERITY.get(str(v).strip()) if v is not None else None)
    parsed.reject(written.notna() & severity.isna(), "severity_zh", "bad_severity")
    default = each(category, lambda c: CATEGORY_BY_CODE[c].default_severity.value if c else None)
    severity = severity.where(severity.notna(), default)
    departments = {n: uid for n, (uid, kind) in ctx.units.items() if kind == "department"}
    dept_name = parsed.column("department_name")
    dept_id = each(dept_name, lambda n: departments.get(n) if n else None)
    for idx in f.index[dept_name.notna() & dept_id.isna()]:
        parsed.rejections.add(
            int(f.at[idx, "_row"]),
            parsed.header("department_name"),
            dept_name[idx],
            "unknown_department",
        )
    checks.not_future(
        parsed, ["found_on", "transferred_on", "rectified_on", "verified_on"], ctx.today
    )
    for field in ("deadline_on", "transferred_on", "rectified_on"):
        checks.not_before(parsed, field, "found_on", "before_found")
    checks.not_before(parsed, "verified_on", "rectified_on", "before_rectified")
    if "verified_on" in parsed.frame:
        orphan = parsed.column("verified_on").notna() & parsed.column("rectified_on").isna()
        parsed.reject(orphan, "verified_on", "before_rectified")
    return pd.DataFrame(
        {"house_id": house_id, "category": category, "severity": severity, "dept": dept_id}
    )


def load(parsed: Parsed, ctx: Context, result: SheetResult) -> None:
    """Check the 隐患 rows and upsert the valid ones (the database derives each deadline)."""
    derived = _check(parsed, ctx)
    keep = ~parsed.frame["_row"].isin(parsed.rejections.bad_rows)
    valid, derived = parsed.frame[keep], derived[keep]
    stage = pd.DataFrame({"row_no": valid["_row"], "hazard_code": valid["hazard_code"]})
    stage["house_id"] = checks.to_int_column(derived["house_id"])
    stage["category"] = derived["category"]
    stage["severity"] = derived["severity"]
    for field in _DATES:
        stage[field] = valid.get(field, None)
    stage["posted_on_wall"] = valid["posted_on_wall"]
    stage["entered_in_system"] = valid["entered_in_system"]
    stage["department_id"] = checks.to_int_column(derived["dept"])
    stage["description"] = valid.get("description")
    if "deadline_on" not in parsed.present:
        # The file has no 整改期限 column: a stored notice deadline stays (the database derives
        # due_on from it, else from the rule: hazard_due()).
        stage["deadline_on"] = _stored_deadlines(ctx, stage["hazard_code"])
    absent = [
        col for f, col in _STAGE_OPTIONAL.items() if f not in parsed.present and f != "deadline_on"
    ]
    # Without 隐患等级 the severity follows the category, so it is always known: never absent.
    # Then each new hazard links to the inspection that found it, when known (link_hazards.sql).
    houses = {"house_ids": sorted(set(stage["house_id"]))}
    upsert(ctx, "hazards", stage, result=result, absent=absent, key="hazard_code", params=houses)
