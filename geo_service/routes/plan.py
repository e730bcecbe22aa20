"""Planning a day of review-phase patrols: targets → network → VROOM → road-following routes."""

import itertools
import secrets
import time
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection

from geo_service.analytics.risk import RiskWeights
from geo_service.domain.rules import RuleParams
from geo_service.errors import ValidationError
from geo_service.routes import network
from geo_service.routes.config import RouteParams, format_hhmm
from geo_service.routes.depots import Depot, resolve_depot
from geo_service.routes.instance import (
    UNREACHABLE_S,
    JobSpec,
    VehicleSpec,
    build_instance,
    unassigned_reason,
)
from geo_service.routes.solver import solve_plan
from geo_service.routes.targets import Target, select_targets

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


def _validate(req: PlanRequest, params: RouteParams) -> tuple[int, int]:
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
    return start, end


def _unassigned(t: Target, code: str, reason: str) -> dict:
    return {
        "house_id": t.house_id,
        "house_code": t.house_code,
        "address": t.address,
        "priority": t.priority,
        "kinds": t.kinds,
        "reason": code,
        "reason_zh": reason,
    }


def _stop(t: Target, seq: int, step: dict) -> dict:
    begin = step["arrival"] + step.get("waiting_time", 0)
    return {
        "seq": seq,
        **t.to_dict(),
        "arrival_s": step["arrival"],
        "service_start_s": begin,
        "departure_s": begin + t.service_s,
        "waiting_s": step.get("waiting_time", 0),
        "arrival": format_hhmm(step["arrival"]),
        "service_start": format_hhmm(begin),
        "departure": format_hhmm(begin + t.service_s),
    }


def plan_routes(
    conn: Connection,
    req: PlanRequest,
    params: RouteParams,
    rules: RuleParams,
    weights: RiskWeights | None = None,
) -> tuple[dict, dict]:
    """(plan, instance): the plan as `routes plan --json` prints it, and the VROOM input;
    key-area targets are ranked with `weights` (the settings' risk weights)."""
    start, end = _validate(req, params)
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round((now - clock) * 1000, 1)
        clock = now

    targets = select_targets(conn, req.on, params, rules, req.house_ids, req.windows, weights)
    if stray := sorted(set(req.windows) - {t.house_id for t in targets}):
        raise ValidationError(
            f"可访时段所指房屋不在目标中，请用 --house 加入 (windows for non-targets): {stray}"
        )
    depots: list[Depot] = [resolve_depot(conn, spec, params) for spec in req.depots]
    limit = params.max_targets if req.max_targets is None else req.max_targets
    if limit < 1:
        raise ValidationError("目标上限应为正整数 (max targets must be ≥ 1)")
    # Targets come highest priority first: beyond the limit they wait for another day.
    overflow = [
        _unassigned(
            t, "over_limit", f"超出单次规划上限 {limit} 处，留待下次 (beyond the plan's limit)"
        )
        for t in targets[limit:]
    ]
    lap("selection_ms")
    network.ensure_topology(conn, params)
    lap("topology_ms")

    points = {f"d{i}": (d.lon, d.lat) for i, d in enumerate(depots)}
    points |= {f"h{t.house_id}": (t.lon, t.lat) for t in targets[:limit] if t.lon is not None}
    snaps = network.snap_points(conn, points)
    for i, d in enumerate(depots):
        if snaps[f"d{i}"].distance_m > params.max_snap_m:
            raise ValidationError(
                f"出发点 {d.name} 离道路超过 {params.max_snap_m:.0f} 米 (depot too far from roads)"
            )
    lap("snap_ms")

    unassigned: list[dict] = overflow
    candidates: list[Target] = []
    for t in targets[:limit]:
        snap = snaps.get(f"h{t.house_id}")
        if snap is None:
            unassigned.append(_unassigned(t, "no_location", "房屋无坐标 (house has no location)"))
        elif snap.distance_m > params.max_snap_m:
            unassigned.append(
                _unassigned(
                    t,
                    "too_far_from_road",
                    f"距最近道路 {snap.distance_m:.0f} 米，超过 {params.max_snap_m:.0f} 米 "
                    "(too far from any road)",
                )
            )
        else:
            candidates.append(t)
    depot_vertices = [snaps[f"d{i}"].vertex for i in range(len(depots))]
    costs = network.cost_matrix(
        conn, depot_vertices + [snaps[f"h{t.house_id}"].vertex for t in candidates]
    )
    lap("matrix_ms")

    def travel(a: int, b: int) -> float | None:
        return 0.0 if a == b else costs.get((a, b))

    jobs: list[JobSpec] = []
    by_id: dict[int, Target] = {}
    team_depots = [i % len(depots) for i in range(req.teams)]
    for t in candidates:
        v = snaps[f"h{t.house_id}"].vertex
        ok = frozenset(
            i
            for i in set(team_depots)
            if travel(depot_vertices[i], v) is not None and travel(v, depot_vertices[i]) is not None
        )
        if not ok:
            unassigned.append(
                _unassigned(
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
            )
        )
    vehicles = [
        VehicleSpec(i + 1, team_depots[i], (start, end), f"第{i + 1}组") for i in range(req.teams)
    ]
    instance = build_instance(depot_vertices, vehicles, jobs, costs)
    solution, solver_info = (
        solve_plan(instance, params.exploration_level, params.threads, params.timeout_s)
        if jobs
        else ({"summary": {"cost": 0}, "routes": [], "unassigned": []}, {"polished": False})
    )
    lap("solve_ms")

    jobs_by_id = {j["id"]: j for j in instance["jobs"]}
    for u in solution["unassigned"]:
        code, reason = unassigned_reason(instance, jobs_by_id[u["id"]])
        unassigned.append(_unassigned(by_id[u["id"]], code, reason))

    routes, legs = [], []
    for r in sorted(solution["routes"], key=lambda r: r["vehicle"]):
        team = r["vehicle"]
        d = team_depots[team - 1]
        path = [depot_vertices[d]]
        stops = []
        for step in r["steps"]:
            if step["type"] == "job":
                stops.append(_stop(by_id[step["id"]], len(stops) + 1, step))
                path.append(snaps[f"h{step['id']}"].vertex)
        path.append(depot_vertices[d])
        legs += [network.Leg(team, i, a, b) for i, (a, b) in enumerate(itertools.pairwise(path))]
        first, last = r["steps"][0], r["steps"][-1]
        routes.append(
            {
                "team": team,
                "team_name": f"第{team}组",
                "depot": depots[d].name,
                "start_s": first["arrival"],
                "end_s": last["arrival"],
                "start": format_hhmm(first["arrival"]),
                "end": format_hhmm(last["arrival"]),
                "driving_s": r["duration"],
                "service_s": r["service"],
                "waiting_s": r["waiting_time"],
                "cost": r["cost"],
                "stops": stops,
            }
        )
    geometries = network.route_geometries(conn, legs)
    for route in routes:
        geom, metres = geometries.get(route["team"], (None, 0.0))
        route["distance_m"] = round(metres, 1)
        route["geometry"] = geom
    lap("geometry_ms")

    unassigned.sort(key=lambda u: (-u["priority"], u["house_id"]))
    plan = {
        "ref": f"RP{req.on:%Y%m%d}-{secrets.token_hex(3)}",
        "date": req.on.isoformat(),
        "teams": req.teams,
        "shift": {"start": format_hhmm(start), "end": format_hhmm(end)},
        "depots": [{"key": d.key, "name": d.name, "lon": d.lon, "lat": d.lat} for d in depots],
        "cost": solution["summary"]["cost"],
        "cost_unit": "s",
        "totals": {
            "targets": len(targets),
            "stops": sum(len(r["stops"]) for r in routes),
            "unassigned": len(unassigned),
            "driving_s": sum(r["driving_s"] for r in routes),
            "distance_m": round(sum(r["distance_m"] for r in routes), 1),
            "service_s": sum(r["service_s"] for r in routes),
            "priority_served": sum(s["priority"] for r in routes for s in r["stops"]),
        },
        "routes": routes,
        "unassigned": unassigned,
        # Ordered location pairs with no road path between them; jobs are kept off the teams
        # they concern by skills, and targets no depot reaches are in `unassigned`.
        "unreachable_pairs": sum(
            row.count(UNREACHABLE_S) for row in instance["matrices"]["car"]["durations"]
        ),
        "solver": {
            "engine": "vroom",
            "exploration_level": params.exploration_level,
            "threads": params.threads,
            **solver_info,
        },
        "timings_ms": timings,
    }
    return plan, instance
