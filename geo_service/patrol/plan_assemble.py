"""Planning step 4, assemble: VROOM's routes as the teams' day — stops with their times,
road-following lines (pgRouting), totals — and the targets left out, highest priority first."""

import itertools
import secrets
from datetime import date
from typing import Any

from sqlalchemy import Connection

from geo_service.patrol import network
from geo_service.patrol.config import RouteParams, format_hhmm
from geo_service.patrol.instance import UNREACHABLE_S
from geo_service.patrol.plan_select import Selection
from geo_service.patrol.plan_snap import Snapped
from geo_service.patrol.plan_solve import Solved
from geo_service.patrol.result import (
    PlanDepot,
    PlanRoute,
    PlanShift,
    PlanStop,
    PlanTotals,
    RoutePlan,
    SolverInfo,
)
from geo_service.patrol.stopwatch import Stopwatch
from geo_service.patrol.targets import Target


def _stop(t: Target, seq: int, step: dict[str, Any]) -> PlanStop:
    waiting = step.get("waiting_time", 0)
    begin = step["arrival"] + waiting
    return PlanStop(
        seq=seq,
        **t.to_dict(),
        arrival_s=step["arrival"],
        service_start_s=begin,
        departure_s=begin + t.service_s,
        waiting_s=waiting,
        arrival=format_hhmm(step["arrival"]),
        service_start=format_hhmm(begin),
        departure=format_hhmm(begin + t.service_s),
    )


def _jobs(r: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in r["steps"] if s["type"] == "job"]


def _legs(r: dict[str, Any], depot_vertex: int, snapped: Snapped) -> list[network.Leg]:
    path = [depot_vertex, *(snapped.vertex_of[s["id"]] for s in _jobs(r)), depot_vertex]
    return [network.Leg(r["vehicle"], i, a, b) for i, (a, b) in enumerate(itertools.pairwise(path))]


def _route(
    r: dict[str, Any], depot: str, solved: Solved, geometry: tuple[dict | None, float]
) -> PlanRoute:
    first, last = r["steps"][0], r["steps"][-1]
    return PlanRoute(
        team=r["vehicle"],
        team_name=f"第{r['vehicle']}组",
        depot=depot,
        start_s=first["arrival"],
        end_s=last["arrival"],
        start=format_hhmm(first["arrival"]),
        end=format_hhmm(last["arrival"]),
        driving_s=r["duration"],
        service_s=r["service"],
        waiting_s=r["waiting_time"],
        cost=r["cost"],
        stops=[_stop(solved.jobs[s["id"]], i, s) for i, s in enumerate(_jobs(r), start=1)],
        distance_m=round(geometry[1], 1),
        geometry=geometry[0],
    )


def assemble(
    conn: Connection,
    on: date,
    teams: int,
    shift: tuple[int, int],
    selection: Selection,
    snapped: Snapped,
    solved: Solved,
    params: RouteParams,
    clock: Stopwatch,
) -> RoutePlan:
    solved_routes = sorted(solved.solution["routes"], key=lambda r: r["vehicle"])
    depot_of = {r["vehicle"]: solved.team_depots[r["vehicle"] - 1] for r in solved_routes}
    legs = [
        leg
        for r in solved_routes
        for leg in _legs(r, snapped.depot_vertices[depot_of[r["vehicle"]]], snapped)
    ]
    geometries = network.route_geometries(conn, legs)
    routes = [
        _route(
            r,
            selection.depots[depot_of[r["vehicle"]]].name,
            solved,
            geometries.get(r["vehicle"], (None, 0.0)),
        )
        for r in solved_routes
    ]
    clock.lap("geometry_ms")

    unassigned = [*selection.left_out, *snapped.left_out, *solved.left_out]
    unassigned.sort(key=lambda u: (-u.priority, u.house_id))
    durations = solved.instance["matrices"]["car"]["durations"]
    return RoutePlan(
        ref=f"RP{on:%Y%m%d}-{secrets.token_hex(3)}",
        date=on.isoformat(),
        teams=teams,
        shift=PlanShift(start=format_hhmm(shift[0]), end=format_hhmm(shift[1])),
        depots=[PlanDepot(key=d.key, name=d.name, lon=d.lon, lat=d.lat) for d in selection.depots],
        cost=solved.solution["summary"]["cost"],
        totals=PlanTotals(
            targets=len(selection.targets),
            stops=sum(len(r.stops) for r in routes),
            unassigned=len(unassigned),
            driving_s=sum(r.driving_s for r in routes),
            distance_m=round(sum(r.distance_m for r in routes), 1),
            service_s=sum(r.service_s for r in routes),
            priority_served=sum(s.priority for r in routes for s in r.stops),
        ),
        routes=routes,
        unassigned=unassigned,
        unreachable_pairs=sum(row.count(UNREACHABLE_S) for row in durations),
        solver=SolverInfo(
            exploration_level=params.exploration_level, threads=params.threads, **solved.solver_info
        ),
        timings_ms=clock.laps,
    )
