"""Review-phase (回头看) patrol routes: targets, plans, field exports, visit records.

The database is reached only through `ConnDep` (one transaction per request).
"""

import datetime as dt
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import AfterValidator, BaseModel, Field

from geo_service import bounds
from geo_service.api.deps import ConnDep, SettingsDep, TodayDep
from geo_service.api.scope import ScopeDep
from geo_service.configfiles import risk_weights, route_params, rules
from geo_service.patrol import exports
from geo_service.patrol.config import format_hhmm, parse_hhmm
from geo_service.patrol.plan import PlanRequest, plan_routes
from geo_service.patrol.result import RoutePlan
from geo_service.patrol.sheet import route_sheet_html
from geo_service.patrol.store import load_plan, save_plan
from geo_service.patrol.targets import select_targets
from geo_service.patrol.visits import NewHazard, Visit, record_visit
from geo_service.spatial.web import HazardFilterParams

router = APIRouter(prefix="/routes", tags=["routes 回头看巡查路线"])


# Values that must fit the database (ids are `integer`) and the date range (geo_service.bounds).
Id = Annotated[int, Field(ge=1, le=bounds.MAX_INT4)]
Day = Annotated[dt.date, AfterValidator(lambda d: bounds.check_date(d, "date"))]
Team = Annotated[int, Path(ge=0, le=bounds.MAX_INT4, description="team number")]
Moment = Annotated[datetime, AfterValidator(lambda t: bounds.check_date(t, "visited_at"))]


@router.get("/targets", summary="回头看目标 places to revisit as of a day")
def targets(
    conn: ConnDep,
    settings: SettingsDep,
    scope: ScopeDep,
    _filters: Annotated[HazardFilterParams, Depends()],
    on: Annotated[date | None, Query(alias="date", description="as of (default today)")] = None,
    house_id: Annotated[list[Id] | None, Query(description="add houses by id")] = None,
) -> list[dict]:
    """The houses to revisit on the day, highest priority first; the filters (docs/filters.md)
    narrow the houses and hazards considered, as on the map and in the analytics."""
    bounds.optional_date(on, "date")
    found = select_targets(
        conn,
        on or scope.as_of,
        route_params(settings),
        rules(settings),
        house_id or [],
        weights=risk_weights(settings),
        scope=scope,
    )
    return [t.to_dict() for t in found]


class PlanBody(BaseModel):
    """A plan request; times are "HH:MM", windows map house ids to ["HH:MM", "HH:MM"]."""

    date: Day | None = None
    teams: int = Field(ge=1, le=50)
    start: str | None = None
    end: str | None = None
    depots: list[str] = Field(default_factory=lambda: ["town_government"])
    house_ids: list[Id] = Field(default_factory=list)
    windows: dict[Id, tuple[str, str]] = Field(default_factory=dict)
    max_targets: int | None = Field(default=None, ge=1, le=bounds.MAX_INT4)
    exclude_house_ids: list[Id] = Field(default_factory=list)
    pins: dict[Id, int | None] = Field(
        default_factory=dict, description="house id → team number (or null: any team)"
    )
    by: str | None = None

    def request(self, today: dt.date) -> PlanRequest:
        """The planner's request (times parsed; the day defaults to `today`)."""
        return PlanRequest(
            self.date or today,
            self.teams,
            None if self.start is None else parse_hhmm(self.start),
            None if self.end is None else parse_hhmm(self.end),
            self.depots or ["town_government"],
            self.house_ids,
            {k: (parse_hhmm(a), parse_hhmm(b)) for k, (a, b) in self.windows.items()},
            self.max_targets,
            self.exclude_house_ids,
            self.pins,
        )

    def saved_params(self, plan: RoutePlan, req: PlanRequest) -> dict:
        """What is stored with the plan as its request."""
        params = self.model_dump(mode="json") | {"shift": plan.shift.model_dump()}
        params["windows"] = {
            k: [format_hhmm(a), format_hhmm(b)] for k, (a, b) in req.windows.items()
        }
        return params


@router.post("/plans", summary="规划路线 plan the teams' routes (saved; returns the plan)")
def create_plan(body: PlanBody, conn: ConnDep, settings: SettingsDep, today: TodayDep) -> RoutePlan:
    req = body.request(today)
    plan, instance = plan_routes(
        conn, req, route_params(settings), rules(settings), weights=risk_weights(settings)
    )
    save_plan(conn, plan, instance, body.saved_params(plan, req), body.by)
    return plan


@router.get("/plans/{ref}", summary="路线方案 a saved plan")
def get_plan(ref: str, conn: ConnDep) -> RoutePlan:
    return load_plan(conn, ref)[0]


@router.get("/plans/{ref}/instance", summary="求解输入 the solver input (VROOM JSON)")
def get_instance(ref: str, conn: ConnDep) -> dict:
    return load_plan(conn, ref)[1]


@router.get("/plans/{ref}/geojson", summary="地图图层 routes and stops as GeoJSON")
def plan_geojson(ref: str, conn: ConnDep) -> Response:
    return Response(exports.plan_geojson(load_plan(conn, ref)[0]), media_type="application/json")


@router.get("/plans/{ref}/teams/{team}.gpx", summary="GPX 航点与轨迹 for one team")
def plan_gpx(ref: str, team: Team, conn: ConnDep) -> Response:
    body = exports.team_gpx(load_plan(conn, ref)[0], team)
    return Response(
        body,
        media_type="application/gpx+xml",
        headers={"Content-Disposition": f'attachment; filename="{ref}-team-{team}.gpx"'},
    )


@router.get("/plans/{ref}/teams/{team}.kml", summary="KML for one team")
def plan_kml(ref: str, team: Team, conn: ConnDep) -> Response:
    body = exports.team_kml(load_plan(conn, ref)[0], team)
    return Response(
        body,
        media_type="application/vnd.google-earth.kml+xml",
        headers={"Content-Disposition": f'attachment; filename="{ref}-team-{team}.kml"'},
    )


@router.get("/plans/{ref}/sheet", response_class=HTMLResponse, summary="打印路线单 route sheet")
def plan_sheet(ref: str, conn: ConnDep) -> HTMLResponse:
    # Landlord contacts stay hidden here until the API knows who is asking (personal data).
    return HTMLResponse(route_sheet_html(load_plan(conn, ref)[0]))


class NewHazardBody(BaseModel):
    category: str
    severity: str | None = None
    description: str | None = None


class VisitBody(BaseModel):
    """One visit's outcomes; `visited_at` without a zone is local time (Asia/Shanghai)."""

    house_id: Id
    visited_at: Moment | None = None
    rectified: list[Id] = Field(default_factory=list)
    still_open: list[Id] = Field(default_factory=list)
    new_hazards: list[NewHazardBody] = Field(default_factory=list)
    checked: bool = False
    no_access: bool = False
    refused: bool = False
    not_found: bool = False
    photos: list[str] = Field(default_factory=list)
    notes: str | None = None
    plan_ref: str | None = None
    team: str | None = None
    recorded_by: str = "api"


@router.post("/visits", summary="记录走访结果 record what a visit found")
def create_visit(body: VisitBody, conn: ConnDep, settings: SettingsDep) -> dict:
    visit = Visit(
        body.house_id,
        body.visited_at or datetime.now(UTC),
        body.rectified,
        body.still_open,
        [NewHazard(h.category, h.severity, h.description) for h in body.new_hazards],
        body.no_access,
        body.not_found,
        body.photos,
        body.notes,
        body.plan_ref,
        body.team,
        body.recorded_by,
        body.refused,
        body.checked,
    )
    return record_visit(conn, visit, rules(settings))
