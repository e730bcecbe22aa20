"""Analytics endpoints: overdue, 附件1 scores, 附件2 table (JSON and .xlsx), CCTV/fire kit,
risk ranking and the monthly bulletin. Every one takes `as_of` (default today) and the common
filters; the database is reached only through `ConnDep`."""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from geo_service import configfiles
from geo_service.analytics import bulletin as bulletin_mod
from geo_service.analytics.cctv import cctv
from geo_service.analytics.overdue import overdue, overdue_geojson
from geo_service.analytics.schemas import (
    CctvReport,
    OverdueReport,
    RiskReport,
    ScoresReport,
    TableReport,
)
from geo_service.analytics.scores import scores
from geo_service.analytics.table import table_rows
from geo_service.analytics.table_xlsx import workbook_bytes
from geo_service.api.cache import NOT_KEPT, CacheDep, footprint, model_response
from geo_service.api.deps import ConnDep, SettingsDep, TodayDep
from geo_service.api.paging import PageDep
from geo_service.api.scope import request_scope
from geo_service.geojson import GEOJSON
from geo_service.learn.ranking import ranked
from geo_service.scope import Scope, make_scope

router = APIRouter(prefix="/analytics", tags=["analytics"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_DUE_WITHIN = 3660  # days (ten years): beyond it the database's integer overflows (a 500)


@dataclass
class AnalyticsFilterParams:
    """The filters every analytics endpoint takes (docs/filters.md), declared once for the
    OpenAPI document; they are read through the request's scope, which validates them."""

    as_of: Annotated[str | None, Query(description="截至日期 D, YYYY-MM-DD (default today)")] = None
    unit: Annotated[
        list[str] | None, Query(description="单位 name or id, repeatable or comma list")
    ] = None
    unit_id: Annotated[str | None, Query(description="单位 id(s), comma list")] = None
    key_area_kind: Annotated[
        str | None, Query(description="重点区域: urban_village, old_estate, … or 中文")
    ] = None
    category: Annotated[
        list[str] | None, Query(description="隐患类别 code or 中文, repeatable")
    ] = None
    category_group: Annotated[str | None, Query(description="隐患大类 code or 中文")] = None
    severity: Annotated[str | None, Query(description="major/general or 重大/一般")] = None
    status: Annotated[str | None, Query(description="open/overdue/rectified on D")] = None
    department: Annotated[str | None, Query(description="责任部门 name or id")] = None
    found_from: Annotated[str | None, Query(description="发现日期 ≥ (YYYY-MM-DD)")] = None
    found_to: Annotated[str | None, Query(description="发现日期 ≤ (YYYY-MM-DD)")] = None
    period_from: Annotated[
        str | None, Query(description="排查率 period start (default 1st of D's month)")
    ] = None
    period_to: Annotated[str | None, Query(description="排查率 period end (≤ D)")] = None
    bbox: Annotated[str | None, Query(description="houses within minx,miny,maxx,maxy")] = None


def analytics_scope(
    request: Request, _params: Annotated[AnalyticsFilterParams, Depends()]
) -> Scope:
    """The as-of date and filters shared by every analytics endpoint."""
    return request_scope(request)


FiltersDep = Annotated[Scope, Depends(analytics_scope)]


@router.get("/overdue", response_model=OverdueReport, summary="逾期未整改 overdue hazards")
def get_overdue(
    cache: CacheDep,
    conn: ConnDep,
    settings: SettingsDep,
    filters: FiltersDep,
    page: PageDep,
    due_within: Annotated[
        int | None, Query(ge=0, le=MAX_DUE_WITHIN, description="also due within N days")
    ] = None,
) -> OverdueReport:
    """Hazards not rectified on D and past their deadline (most overdue first); with
    `due_within`, also those due in the next N days. One page of `limit` items from `offset`
    (`next_offset` says where the next starts); the counts are over every item."""
    rules = configfiles.rules(settings)
    return cache.serve(
        lambda: overdue(conn, filters, rules, due_within, page.limit, page.offset),
        footprint(conn, filters),
    )


@router.get(
    "/overdue.geojson",
    summary="逾期未整改 map layer (GeoJSON points of the houses)",
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {}}}},
)
def get_overdue_geojson(
    cache: CacheDep,
    conn: ConnDep,
    settings: SettingsDep,
    filters: FiltersDep,
    page: PageDep,
    due_within: Annotated[int | None, Query(ge=0, le=MAX_DUE_WITHIN)] = None,
) -> Response:
    """The overdue list as a GeoJSON FeatureCollection, one page of it (`numberMatched`,
    `next_offset` say how many there are and where the next page starts)."""

    def layer() -> Response:
        report = overdue(
            conn, filters, configfiles.rules(settings), due_within, page.limit, page.offset
        )
        return Response(overdue_geojson(report), media_type=GEOJSON)

    return cache.serve(layer)


@router.get("/scores", response_model=ScoresReport, summary="附件1 考评得分 scores and ranks")
def get_scores(
    cache: CacheDep,
    conn: ConnDep,
    settings: SettingsDep,
    filters: FiltersDep,
    records: Annotated[
        bool, Query(description="list the house/hazard codes behind each deduction")
    ] = True,
) -> ScoresReport:
    """Every village/community scored on D with the rubric; each deduction lists its records."""
    return cache.serve(
        lambda: scores(
            conn,
            filters,
            configfiles.rules(settings),
            configfiles.rubric(settings),
            records=records,
        )
    )


@router.get("/table", response_model=TableReport, summary="附件2 统计表 (JSON)")
def get_table(
    cache: CacheDep, conn: ConnDep, settings: SettingsDep, filters: FiltersDep
) -> TableReport:
    """The 附件2 rows (one per unit and the town total) as JSON."""
    return cache.serve(lambda: table_rows(conn, filters, configfiles.rules(settings)))


@router.get(
    "/table.xlsx",
    summary="附件2 统计表 (Excel workbook)",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
def get_table_xlsx(
    cache: CacheDep, conn: ConnDep, settings: SettingsDep, filters: FiltersDep
) -> Response:
    """The same workbook `geo-service table --out FILE.xlsx` writes."""

    def workbook() -> Response:
        report = table_rows(conn, filters, configfiles.rules(settings))
        name = f"table-{filters.as_of.isoformat()}.xlsx"
        return Response(
            workbook_bytes(report),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    return cache.serve(workbook)


@router.get("/cctv", response_model=CctvReport, summary="视频监控 / 消防器材 compliance")
def get_cctv(
    cache: CacheDep,
    conn: ConnDep,
    settings: SettingsDep,
    filters: FiltersDep,
    page: PageDep,
    fire_kit: Annotated[bool, Query(description="also list fire-kit violations")] = False,
) -> CctvReport:
    """Per-unit CCTV and fire-kit compliance, and the houses breaking the rules with reasons:
    one page of `limit` houses from `offset`; the per-unit figures and `total` count all."""
    rules = configfiles.rules(settings)
    return cache.serve(lambda: cctv(conn, filters, rules, fire_kit, page.limit, page.offset))


@router.get("/risk", response_model=RiskReport, summary="风险排序 houses to inspect first")
def get_risk(
    cache: CacheDep,
    conn: ConnDep,
    settings: SettingsDep,
    filters: FiltersDep,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    min_score: Annotated[
        float | None,
        Query(
            description="only houses scoring ≥ this, in the method's unit: the weights' points, "
            "or the learned model's probability (0–1)"
        ),
    ] = None,
) -> RiskReport:
    """The highest-risk houses on D, each with its factor points and top contributors, ranked
    by the method in force (`method`: the learned model when its back-test beat the hand
    weights, else the weights; docs/risk.md).

    With the weights, today's ranking is read from the maintained table (`maintained`,
    refreshed in the background after imports; `computed_at` says when, `stale` that data
    changed since); other days, hazard filters and the learned model are computed live
    (docs/analytics.md)."""
    weights = configfiles.risk_weights(settings)

    def compute() -> Response:
        report = ranked(
            conn, filters, configfiles.rules(settings), weights, limit=limit, min_score=min_score
        )
        response = model_response(report)
        if report.maintained:  # the table moves on without a data write: never kept
            response.headers[NOT_KEPT[0]] = NOT_KEPT[1]
        return response

    return cache.serve(compute)


@router.get("/bulletin", response_class=HTMLResponse, summary="月度通报 monthly bulletin (HTML)")
def get_bulletin(
    conn: ConnDep,
    settings: SettingsDep,
    today: TodayDep,
    month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")],
    unit: Annotated[list[str] | None, Query()] = None,
    months: Annotated[int, Query(ge=2, le=24, description="months in the trend")] = 6,
) -> HTMLResponse:
    """The bulletin of `month` as one self-contained HTML page."""
    data: dict[str, Any] = bulletin_mod.bulletin_data(
        conn,
        month,
        make_scope(settings, unit=unit),
        configfiles.rules(settings),
        configfiles.rubric(settings),
        months_back=months,
        today=today,
    )
    return HTMLResponse(bulletin_mod.render_html(data))
