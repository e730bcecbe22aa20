"""Sheet 单位: villages, communities and departments, by 单位名称."""

import pandas as pd

from etl import checks
from etl.context import Context, SheetResult
from etl.load import upsert
from etl.parse import Parsed
from etl.values import each

KIND_BY_ZH = {"村": "village", "社区": "community", "部门": "department"}
KIND_BY_ZH |= {"village": "village", "community": "community", "department": "department"}
KIND_BY_ZH |= {"村委会": "village", "居委会": "community", "社区居委会": "community"}
_FLAGS = ["has_task_list", "has_annual_plan", "holds_meetings", "accountability_evaluated"]


def load(parsed: Parsed, ctx: Context, result: SheetResult) -> None:
    """Check the 单位 rows and upsert the valid ones."""
    checks.duplicates(parsed, "name")
    kind = each(parsed.column("kind_zh"), lambda v: KIND_BY_ZH.get(str(v).lower()) if v else None)
    parsed.reject(parsed.column("kind_zh").notna() & kind.isna(), "kind_zh", "unit_kind")
    parsed.frame["kind"] = kind
    # 职责任务清单 and 年度工作方案 are required of villages and communities (TEMPLATES.md).
    village = kind.isin(["village", "community"])
    for field in ("has_task_list", "has_annual_plan"):
        missing = village & parsed.column(field).isna()
        if field not in parsed.frame:
            missing &= False
        parsed.reject(missing, field, "required")
    valid = parsed.valid()
    stage = pd.DataFrame({"row_no": valid["_row"], "name": valid["name"], "kind": valid["kind"]})
    for field in _FLAGS:
        stage[field] = valid.get(field, None)
    absent = [f for f in _FLAGS if f not in parsed.present]
    upsert(ctx, "units", stage, result=result, absent=absent, key="name")
    ctx.invalidate()
