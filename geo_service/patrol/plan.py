"""Planning a day of review-phase patrols in four steps:
select (targets, depots) → snap (onto the roads, travel times) → solve (VROOM) → assemble
(the teams' routes along the roads)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Connection

from geo_service.analytics.risk import RiskWeights
from geo_service.domain.rules import RuleParams
from geo_service.errors import ValidationError
from geo_service.patrol.config import RouteParams, format_hhmm
from geo_service.patrol.plan_assemble import assemble
from geo_service.patrol.plan_select import select
from geo_service.patrol.plan_snap import snap
from geo_service.patrol.plan_solve import solve
from geo_service.patrol.result import RoutePlan
from geo_service.patrol.stopwatch import Stopwatch

MAX_TEAMS = 50


@dataclass
class PlanRequest:
    """What the supervisor asks for. Depots are given per team round-robin (team i uses
    depots[i % len(depots)]); one depot means a shared depot."""

    on: date
    teams: int
    start_s: int | None = None
    end_s: int | None = None
    depots: list[str] = field(default_factory=lambda: ["town_government"])
    house_ids: list[int] = field(default_factory=list)
    windows: dict[int, tuple[int, int]] = field(default_factory=dict)
    max_targets: int | None = None  # default: the config's [targets] max_per_plan
    # Taken out by the planner (listed as unassigned `removed`, never silently dropped).
    exclude_ids: list[int] = field(default_factory=list)
    # Pinned: kept at the highest priority; with a team number, only that team may visit it.
    pins: dict[int, int | None] = field(default_factory=dict)


# A stage of planning just finished: its timing key ("selection_ms", …) and its milliseconds.
Progress = Callable[[str, float], None]


class PlannedDay(NamedTuple):
    plan: RoutePlan
    instance: dict[str, Any]  # the VROOM input that was solved (`--export-instance`)


def _shift(req: PlanRequest, params: RouteParams) -> tuple[int, int]:
    if not 1 <= req.teams <= MAX_TEAMS:
        raise ValidationError(f"组数应在 1–{MAX_TEAMS} 之间 (teams must be 1..{MAX_TEAMS})")
    start = params.shift_start_s if req.start_s is None else req.start_s
    end = params.shift_end_s if req.end_s is None else req.end_s
    if end <= start:
        raise ValidationError(
            f"收队时间应晚于出发时间 (shift end {format_hhmm(end)} must be after start "
            f"{format_hhmm(start)})"
        )
    for house_id, (a, b) in req.windows.items():
        if b < a:
            raise ValidationError(f"房屋 {house_id} 的可访时段无效 (window end before start)")
    if both := sorted(set(req.pins) & set(req.exclude_ids)):
        raise ValidationError(f"房屋不能既固定又移除 (pinned and removed): {both}")
    for house_id, team in req.pins.items():
        if team is not None and not 1 <= team <= req.teams:
            raise ValidationError(
                f"房屋 {house_id} 固定到第{team}组，但只有 {req.teams} 组 (pinned to no such team)"
            )
    return start, end


def plan_routes(
    conn: Connection,
    req: PlanRequest,
    params: RouteParams,
    rules: RuleParams,
    progress: Progress | None = None,
    weights: RiskWeights | None = None,
) -> PlannedDay:
    """The plan (as `routes plan --json` prints it) and the VROOM input it solved.

    `progress` is told each stage as it finishes (the planning page shows it); key-area
    targets are ranked with `weights` (the settings' risk weights)."""
    shift = _shift(req, params)
    clock = Stopwatch(progress)
    selection = select(
        conn,
        req.on,
        req.house_ids,
        req.windows,
        req.depots,
        req.max_targets,
        params,
        rules,
        exclude_ids=req.exclude_ids,
        pins=req.pins,
        weights=weights,
    )
    clock.lap("selection_ms")
    snapped = snap(conn, selection, params, clock)
    solved = solve(snapped, req.teams, shift, params, req.pins)
    clock.lap("solve_ms")
    plan = assemble(conn, req.on, req.teams, shift, selection, snapped, solved, params, clock)
    return PlannedDay(plan, solved.instance)
