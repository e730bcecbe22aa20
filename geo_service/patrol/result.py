"""The planned day as typed values: what `routes plan --json` prints, `/routes/plans` returns
and `route_plans.result` stores.

Times are seconds after midnight of the plan's day (`*_s`), with "HH:MM" beside them for
people. A saved plan reads back into the same models (`RoutePlan.model_validate`).
"""

from typing import Any, Literal

from pydantic import BaseModel, Field

UnassignedReason = Literal[
    "removed", "over_limit", "no_location", "too_far_from_road", "unreachable",
    "infeasible_alone", "out_of_time",
]  # fmt: skip


class PlanStop(BaseModel):
    """One visit on a team's route: the target (why, what to check) and when the team is there."""

    seq: int = Field(description="order on the route, from 1")
    house_id: int
    house_code: str
    address: str
    unit_name: str
    lon: float
    lat: float
    kinds: list[str] = Field(description="why it is a target (catastrophic_hazard, overdue, …)")
    hazards: list[dict[str, Any]] = Field(description="the hazards to verify there")
    open_major: int
    open_other: int
    risk_score: float | None
    key_areas: list[str] | None
    priority: int
    service_s: int = Field(description="time on site")
    time_window: tuple[str, str] | None = Field(description="visiting hours HH:MM–HH:MM")
    reasons_zh: list[str]
    arrival_s: int
    service_start_s: int = Field(description="arrival plus any wait for the visiting hours")
    departure_s: int
    waiting_s: int
    arrival: str
    service_start: str
    departure: str


class PlanRoute(BaseModel):
    """One team's day: from its depot, through its stops, back, on the roads."""

    team: int
    team_name: str
    depot: str = Field(description="the depot's name")
    start_s: int
    end_s: int
    start: str
    end: str
    driving_s: int
    service_s: int
    waiting_s: int
    cost: int
    stops: list[PlanStop]
    distance_m: float
    geometry: dict[str, Any] | None = Field(description="GeoJSON LineString along the roads")


class UnassignedTarget(BaseModel):
    """A target left out of every route, and why (`reason`, `reason_zh`)."""

    house_id: int
    house_code: str
    address: str
    priority: int
    kinds: list[str]
    reason: UnassignedReason
    reason_zh: str


class PlanShift(BaseModel):
    start: str = Field(description="HH:MM")
    end: str = Field(description="HH:MM")


class PlanDepot(BaseModel):
    key: str
    name: str
    lon: float
    lat: float


class PlanTotals(BaseModel):
    targets: int = Field(description="targets chosen as of the day, before the plan's limit")
    stops: int
    unassigned: int
    driving_s: int
    distance_m: float
    service_s: int
    priority_served: int


class SolverInfo(BaseModel):
    engine: Literal["vroom"] = "vroom"
    exploration_level: int
    threads: int
    # Absent when there was nothing to solve (no target could be served at all).
    first_pass_cost: int | None = Field(default=None, exclude_if=lambda v: v is None)
    polished: bool = Field(description="a second VROOM pass shortened the driving")


class RoutePlan(BaseModel):
    """A day of review-phase patrols for several teams."""

    ref: str = Field(description="the plan's reference, e.g. RP20261201-a1b2c3")
    date: str = Field(description="YYYY-MM-DD")
    teams: int
    shift: PlanShift
    depots: list[PlanDepot]
    cost: int = Field(description="total driving seconds (the solver's cost)")
    cost_unit: Literal["s"] = "s"
    totals: PlanTotals
    routes: list[PlanRoute]
    unassigned: list[UnassignedTarget] = Field(description="highest priority first")
    unreachable_pairs: int = Field(
        description="ordered location pairs with no road path between them; jobs are kept off "
        "the teams they concern, and targets no depot reaches are in `unassigned`"
    )
    solver: SolverInfo
    timings_ms: dict[str, float]

    def route_of(self, team: int) -> PlanRoute | None:
        """The route of `team`, if it has one."""
        return next((r for r in self.routes if r.team == team), None)

    def stop_house_ids(self) -> list[int]:
        """Every house on a route, in route then stop order."""
        return [s.house_id for r in self.routes for s in r.stops]
