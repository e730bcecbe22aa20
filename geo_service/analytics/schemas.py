"""Response models of the analytics (the API documents them in OpenAPI; `--json` prints them)."""

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class FiltersEcho(BaseModel):
    """The as-of date and filters the figures were computed for, as the query parameters that
    ask for them again (docs/filters.md); `units` are the names of `unit_id`."""

    as_of: date
    unit_id: list[int] = []
    units: list[str] = []
    key_area_kind: list[str] = []
    category: list[str] = []
    category_group: list[str] = []
    severity: list[str] = []
    status: list[str] = []
    department: list[str] = []
    found_from: date | None = None
    found_to: date | None = None
    period_from: date = Field(description="排查率 inspection period start")
    period_to: date = Field(description="排查率 inspection period end (never after as_of)")
    bbox: list[float] | None = None


class Page(BaseModel):
    """Paging of a long list: the list holds `limit` items from `offset`; `total` counts every
    item over all pages (the report's other counts are over all pages too)."""

    total: int = Field(description="items over all pages")
    limit: int | None = Field(description="page size asked for (null: every item)")
    offset: int = Field(description="index of the page's first item in the whole list")
    next_offset: int | None = Field(description="offset of the next page; null on the last")


# ---- 逾期未整改 overdue -------------------------------------------------------------------


class OverdueItem(BaseModel):
    hazard_code: str = Field(description="隐患编号")
    category: str
    category_zh: str
    severity: Literal["major", "general"]
    found_on: date
    due_on: date = Field(description="整改期限 (notice, else the rule)")
    status: Literal["overdue", "due_soon"]
    days_overdue: int = Field(description="D − due_on, 0 when not overdue")
    days_left: int = Field(description="due_on − D (negative when overdue)")
    transferred: bool
    house_code: str
    address: str
    unit: str
    department: str = Field(description="责任部门: transferred-to department, else the category's")
    lon: float | None = None
    lat: float | None = None


class OverdueReport(Page):
    filters: FiltersEcho
    due_within: int | None = None
    overdue_count: int = Field(description="over all pages")
    due_soon_count: int = Field(description="over all pages")
    by_unit: dict[str, int] = Field(description="overdue count per unit (over all pages)")
    items: list[OverdueItem] = Field(description="one page (limit from offset), most overdue first")


# ---- 附件1 scores ------------------------------------------------------------------------


class DeductionResult(BaseModel):
    measure: str
    label_zh: str
    count: float = Field(description="how many (houses, hazards, percentage points…)")
    per: float
    amount: float = Field(description="count × per, before the section floor")
    detail: str | None = None
    records: list[str] = Field(description="house or hazard codes that caused the deduction")


class SectionResult(BaseModel):
    code: str
    label_zh: str
    points: float
    deducted: float = Field(description="points lost, after the floor at 0")
    score: float
    items: list[DeductionResult]


class UnitScore(BaseModel):
    unit: str
    unit_id: int
    kind: str
    total: float
    rank: int = Field(description="1 = best; equal totals share a rank (1, 2, 2, 4)")
    sections: list[SectionResult]


class ScoresReport(BaseModel):
    filters: FiltersEcho
    rubric: str
    total_points: float
    units: list[UnitScore]


# ---- 附件2 table -------------------------------------------------------------------------


class Rate(BaseModel):
    numerator: int
    denominator: int
    percent: float | None = Field(description="to one decimal (half up); null when 0/0")
    display: str = Field(description="e.g. 94.0, or — for a zero denominator")


class TableRow(BaseModel):
    unit: str
    is_total: bool = False
    task_list: str = Field(description="是/否; on the total row: units with / units")
    annual_plan: str
    counts: dict[str, int] = Field(description="hazard category code → 处 found on or before D")
    rates: dict[str, Rate]
    cctv_required: int
    cctv_compliant: int


class TableReport(BaseModel):
    filters: FiltersEcho
    rows: list[TableRow]


# ---- CCTV and fire kit -------------------------------------------------------------------


class CctvHouse(BaseModel):
    house_code: str
    unit: str
    address: str
    rooms: int
    beds: int
    tenants: int
    cctv_required: bool
    triggers: list[str] = Field(description="which thresholds made CCTV required")
    cctv_violation: Literal["missing", "short_retention"] | None
    retention_days: int | None
    fire_kit: Literal["complete", "incomplete", "unchecked"]
    fire_kit_missing: list[str]
    reason_zh: str


class CctvUnit(BaseModel):
    unit: str
    houses: int
    cctv_required: int
    cctv_compliant: int
    cctv_missing: int
    cctv_short_retention: int
    fire_kit_complete: int
    fire_kit_incomplete: int
    fire_kit_unchecked: int
    listed: int = Field(description="this unit's houses in the list of violations (all pages)")


class CctvReport(Page):
    filters: FiltersEcho
    rule: dict[str, int]
    units: list[CctvUnit] = Field(description="per-unit figures over every house")
    houses: list[CctvHouse] = Field(
        description="one page (limit from offset, by unit and house code) of the houses "
        "breaking the CCTV or fire-kit rule"
    )


# ---- risk ranking ------------------------------------------------------------------------


class RiskFactor(BaseModel):
    code: str
    label_zh: str
    value: float = Field(description="the raw measure (count, metres, ratio…)")
    points: float
    detail: str


class RiskHouse(BaseModel):
    rank: int
    house_code: str
    unit: str
    address: str
    score: float
    top_factors: list[RiskFactor]
    factors: list[RiskFactor]
    lon: float | None = None
    lat: float | None = None


class RiskReport(BaseModel):
    filters: FiltersEcho
    weights: dict[str, Any]
    houses_scored: int
    houses: list[RiskHouse]
    computed_at: datetime = Field(
        description="when the scores were computed (风险排名计算于): the maintained ranking's "
        "refresh, or now for a live computation"
    )
    maintained: bool = Field(
        description="read from the maintained ranking of today (true) or computed live for "
        "another day or a hazard filter (false)"
    )
    stale: bool = Field(
        description="data were written after computed_at: the ranking is being refreshed"
    )
