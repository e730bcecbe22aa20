"""Planning step 3, solve: the vehicle-routing problem of the day (VROOM's JSON input) and
VROOM's answer to it."""

from dataclasses import dataclass
from typing import Any

from geo_service.patrol.config import RouteParams
from geo_service.patrol.instance import JobSpec, VehicleSpec, build_instance, unassigned_reason
from geo_service.patrol.plan_select import left_out
from geo_service.patrol.plan_snap import Snapped
from geo_service.patrol.result import UnassignedTarget
from geo_service.patrol.solver import solve_plan
from geo_service.patrol.targets import Target


@dataclass(frozen=True)
class Solved:
    instance: dict[str, Any]  # the problem as solved (`--export-instance`)
    solution: dict[str, Any]  # VROOM's solution: summary, routes with steps
    solver_info: dict[str, Any]  # first_pass_cost (when solved), polished
    team_depots: list[int]  # team i+1 leaves from depots[team_depots[i]]
    jobs: dict[int, Target]  # house id → target, for every job given to the solver
    left_out: list[UnassignedTarget]  # no depot reaches them, or the solver left them out


def solve(
    snapped: Snapped,
    teams: int,
    shift: tuple[int, int],
    params: RouteParams,
    pins: dict[int, int | None] | None = None,
) -> Solved:
    """Teams take the depots round-robin; a target is a job for the teams whose depot reaches
    it and back (skills), and left out when no depot does. A target pinned to a team is a job
    for that team only."""
    pins = pins or {}
    team_depots = [i % len(snapped.depot_vertices) for i in range(teams)]
    out: list[UnassignedTarget] = []
    jobs: list[JobSpec] = []
    by_id: dict[int, Target] = {}
    for t in snapped.candidates:
        v = snapped.vertex_of[t.house_id]
        ok = frozenset(
            i
            for i in set(team_depots)
            if snapped.travel(snapped.depot_vertices[i], v) is not None
            and snapped.travel(v, snapped.depot_vertices[i]) is not None
        )
        if not ok:
            out.append(
                left_out(
                    t,
                    "unreachable",
                    "道路不连通，无法从出发点往返 (no road path from the depot and back)",
                )
            )
            continue
        by_id[t.house_id] = t
        jobs.append(
            JobSpec(
                t.house_id,
                v,
                t.service_s,
                t.priority,
                t.time_window,
                f"{t.house_code} {t.address}",
                ok,
                pins.get(t.house_id),
            )
        )
    vehicles = [VehicleSpec(i + 1, team_depots[i], shift, f"第{i + 1}组") for i in range(teams)]
    instance = build_instance(snapped.depot_vertices, vehicles, jobs, snapped.costs)
    solution, info = (
        solve_plan(instance, params.exploration_level, params.threads, params.timeout_s)
        if jobs
        else ({"summary": {"cost": 0}, "routes": [], "unassigned": []}, {"polished": False})
    )
    jobs_by_id = {j["id"]: j for j in instance["jobs"]}
    for u in solution["unassigned"]:
        code, reason = unassigned_reason(instance, jobs_by_id[u["id"]])
        out.append(left_out(by_id[u["id"]], code, reason))
    return Solved(instance, solution, info, team_depots, by_id, out)
