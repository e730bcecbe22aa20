"""附件2 统计表: one row per village/community and a town total, as of D (SPEC §6).

Rates are numerator/denominator pairs; the total row sums numerators and denominators and
recomputes the rate (never an average of rates). Percentages are rounded half up to one
decimal from the exact fraction; a zero denominator is shown as —.
"""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import Connection

from geo_service.analytics.common import echo
from geo_service.analytics.schemas import Rate, TableReport, TableRow
from geo_service.analytics.scores import unit_measures
from geo_service.domain.rules import RuleParams
from geo_service.scope import Scope

DASH = "—"

# (rate code, numerator column, denominator column) in the order of the plan's 人房登记 and
# 隐患排查、流转、整改 groups.
RATES: tuple[tuple[str, str, str], ...] = (
    ("house_registration", "houses_registered", "houses"),
    ("tenant_registration", "registered_tenants", "tenants"),
    ("second_landlord_registration", "second_landlords_registered", "second_landlords"),
    ("pledge", "houses_pledged", "houses"),
    ("investigation", "houses_inspected", "houses"),
    ("transfer", "hazards_transferred", "hazards"),
    ("rectification", "hazards_rectified", "hazards"),
)

# The (处) columns: hazard categories counted whether rectified or not.
HOUSE_SAFETY_CATEGORIES = ("unauthorised_change", "below_standard", "dangerous_house")
FIRE_CATEGORIES = (
    "lpg_cylinder",
    "open_flame",
    "improvised_wiring",
    "blocked_escape",
    "ebike",
    "fire_equipment_missing",
)
COUNT_CATEGORIES = HOUSE_SAFETY_CATEGORIES + FIRE_CATEGORIES
SUMMED = (
    "houses",
    "houses_registered",
    "tenants",
    "registered_tenants",
    "second_landlords",
    "second_landlords_registered",
    "houses_pledged",
    "houses_inspected",
    "hazards",
    "hazards_transferred",
    "hazards_rectified",
    "cctv_required",
    "cctv_compliant",
)


def rate(numerator: int, denominator: int) -> Rate:
    """A percentage to one decimal, half up (2/3 → 66.7, 1/16 → 6.3); 0/0 → —."""
    if denominator == 0:
        return Rate(numerator=numerator, denominator=0, percent=None, display=DASH)
    exact = Fraction(100 * numerator, denominator)
    rounded = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return Rate(
        numerator=numerator, denominator=denominator, percent=float(rounded), display=str(rounded)
    )


def _yes_no(value: bool | None) -> str:
    # Not recorded as made counts as not made, as in the scores (docs/analytics.md).
    return "是" if value else "否"


def _row(unit: str, m: dict[str, Any], task: str, plan: str, total: bool = False) -> TableRow:
    by_cat = m["by_category"]
    return TableRow(
        unit=unit,
        is_total=total,
        task_list=task,
        annual_plan=plan,
        counts={c: int(by_cat.get(c, 0)) for c in COUNT_CATEGORIES},
        rates={code: rate(m[num], m[den]) for code, num, den in RATES},
        cctv_required=m["cctv_required"],
        cctv_compliant=m["cctv_compliant"],
    )


def table_rows(conn: Connection, scope: Scope, rules: RuleParams) -> TableReport:
    """The 附件2 rows for D: one per unit (by name), then the town total (合计)."""
    measures = unit_measures(conn, scope, rules)
    rows = [
        _row(m["unit_name"], m, _yes_no(m["has_task_list"]), _yes_no(m["has_annual_plan"]))
        for m in measures
    ]
    total: dict[str, Any] = {k: sum(m[k] for m in measures) for k in SUMMED}
    total["by_category"] = {
        c: sum(int(m["by_category"].get(c, 0)) for m in measures) for c in COUNT_CATEGORIES
    }
    n = len(measures)
    tasks = sum(1 for m in measures if m["has_task_list"])
    plans = sum(1 for m in measures if m["has_annual_plan"])
    rows.append(_row("合计", total, f"{tasks}/{n}", f"{plans}/{n}", total=True))
    return TableReport(filters=echo(conn, scope), rows=rows)
