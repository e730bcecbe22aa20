"""The vehicle-routing problem as VROOM's documented JSON input.

The planner writes this dict, then gives exactly this to the solver (`solver.solve_vroom`
loads it with `vroom.Input.from_json`), so `--export-instance` is the problem that was solved
and anyone can re-solve it with VROOM or another solver (`ortools_solver`).

Times are seconds after midnight of the plan's day; `matrices.car.durations[i][j]` is the
driving time in seconds from location i to j; costs are those durations (VROOM's default
vehicle cost is 3600 per hour), so the solution's cost is total driving seconds.
"""

from dataclasses import dataclass

# A pair with no road path. Never on a route: jobs carry skills that only vehicles whose
# depot reaches them (there and back) have. Larger than any working day.
UNREACHABLE_S = 10_000_000
# The skill of a job pinned to team N is TEAM_SKILL + N, held by that team's vehicle only.
TEAM_SKILL = 1000


@dataclass(frozen=True)
class JobSpec:
    id: int
    vertex: int
    service_s: int
    priority: int
    time_window: tuple[int, int] | None
    description: str
    depots_ok: frozenset[int]  # indices of the depots it is reachable from and back
    team: int | None = None  # pinned to this vehicle (team) by the planner


@dataclass(frozen=True)
class VehicleSpec:
    id: int
    depot: int  # index into the depots
    shift: tuple[int, int]
    description: str


def build_instance(
    depot_vertices: list[int],
    vehicles: list[VehicleSpec],
    jobs: list[JobSpec],
    costs: dict[tuple[int, int], float],
) -> dict:
    """The VROOM input: locations are the depots, then the jobs, in order."""
    vertices = depot_vertices + [j.vertex for j in jobs]
    durations = [
        [0 if a == b else round(costs.get((a, b), UNREACHABLE_S)) for b in vertices]
        for a in vertices
    ]
    # Skills only when some job cannot be served from every depot in use.
    used = frozenset(v.depot for v in vehicles)
    classes = sorted({j.depots_ok & used for j in jobs}, key=sorted)
    pinned = any(j.team is not None for j in jobs)
    need_skills = pinned or any(c != used for c in classes)
    skill_of = {c: i + 1 for i, c in enumerate(classes)}
    k = len(depot_vertices)
    out_vehicles = []
    for v in vehicles:
        vehicle = {
            "id": v.id,
            "description": v.description,
            "profile": "car",
            "start_index": v.depot,
            "end_index": v.depot,
            "time_window": [v.shift[0], v.shift[1]],
        }
        if need_skills:
            vehicle["skills"] = [skill_of[c] for c in classes if v.depot in c]
            if pinned:
                vehicle["skills"].append(TEAM_SKILL + v.id)
        out_vehicles.append(vehicle)
    out_jobs = []
    for i, j in enumerate(jobs):
        job = {
            "id": j.id,
            "description": j.description,
            "location_index": k + i,
            "service": j.service_s,
            "priority": j.priority,
        }
        if j.time_window:
            job["time_windows"] = [[j.time_window[0], j.time_window[1]]]
        if need_skills:
            job["skills"] = [skill_of[j.depots_ok & used]]
            if j.team is not None:
                job["skills"].append(TEAM_SKILL + j.team)
        out_jobs.append(job)
    return {
        "vehicles": out_vehicles,
        "jobs": out_jobs,
        "matrices": {"car": {"durations": durations}},
    }


def _compatible(job: dict, vehicle: dict) -> bool:
    return set(job.get("skills", [])) <= set(vehicle.get("skills", []))


def fits_alone(instance: dict, job: dict, vehicle: dict) -> bool:
    """Could `vehicle` serve `job` as its only stop within its shift and the job's window?"""
    d = instance["matrices"]["car"]["durations"]
    s, e, j = vehicle["start_index"], vehicle["end_index"], job["location_index"]
    t0, t1 = vehicle.get("time_window", [0, 2**32])
    arrive = t0 + d[s][j]
    for a, b in job.get("time_windows", [[0, 2**32]]):
        start = max(arrive, a)
        if start <= b and start + job.get("service", 0) + d[j][e] <= t1:
            return True
    return False


def unassigned_reason(instance: dict, job: dict) -> tuple[str, str]:
    """Why a job the solver left out is left out: (code, Chinese and English text)."""
    vehicles = [v for v in instance["vehicles"] if _compatible(job, v)]
    if not any(fits_alone(instance, job, v) for v in vehicles):
        return (
            "infeasible_alone",
            "单独前往也无法在班次/可访时段内完成 (cannot fit in the shift or its time window "
            "even as the only stop)",
        )
    return (
        "out_of_time",
        "当日时间不足，优先级较高的目标已占满 (not enough time today: higher-priority stops "
        "filled the day)",
    )
