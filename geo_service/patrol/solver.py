"""Solving the instance with VROOM (pyvroom), the planner's engine."""

import json
import os
import tempfile
from datetime import timedelta
from pathlib import Path

from geo_service.errors import SetupError


def solve_vroom(
    instance: dict, exploration_level: int = 5, threads: int = 2, timeout_s: float | None = None
) -> dict:
    """VROOM's solution JSON (summary, routes with steps, unassigned) for `instance`.

    The instance goes through `vroom.Input.from_json`, the same reader the `vroom` command
    uses, so the exported file and the solved problem cannot differ.
    """
    try:
        import vroom
    except ImportError:
        raise SetupError("未安装 pyvroom (pyvroom is not installed): pip install pyvroom") from None
    fd, name = tempfile.mkstemp(suffix=".json", prefix="vroom-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(instance, f, ensure_ascii=False)
        problem = vroom.Input.from_json(Path(name))
    finally:
        os.unlink(name)
    solution = problem.solve(
        exploration_level=exploration_level,
        nb_threads=threads,
        timeout=None if timeout_s is None else timedelta(seconds=timeout_s),
    )
    return solution.to_dict()


def _served(solution: dict) -> set[int]:
    return {s["id"] for r in solution["routes"] for s in r["steps"] if s["type"] == "job"}


def solve_plan(
    instance: dict, exploration_level: int = 5, threads: int = 2, timeout_s: float | None = None
) -> tuple[dict, dict]:
    """(solution, info): VROOM on `instance`, then a second VROOM pass that shortens driving.

    The first pass decides which stops the day can hold (highest total priority) and their
    order. The second gets only those stops, with the first routes as its starting point
    (`vehicles[].steps`), and so spends its effort on driving time alone. Its solution is
    kept only if it serves exactly the same stops at a lower cost; either way the result is
    a feasible solution of `instance` (same matrix, shifts, windows, skills).
    """
    first = solve_vroom(instance, exploration_level, threads, timeout_s)
    served = _served(first)
    info = {"first_pass_cost": first["summary"]["cost"], "polished": False}
    if not served:
        return first, info
    polish = {
        **instance,
        "jobs": [j for j in instance["jobs"] if j["id"] in served],
        "vehicles": [
            {**v, "steps": _steps(first, v["id"])} if _steps(first, v["id"]) else v
            for v in instance["vehicles"]
        ],
    }
    # Ordering a fixed set of stops is a much smaller search: always at the top level.
    second = solve_vroom(polish, 5, threads, timeout_s)
    if _served(second) == served and second["summary"]["cost"] < first["summary"]["cost"]:
        second["unassigned"] = first["unassigned"]
        info["polished"] = True
        return second, info
    return first, info


def _steps(solution: dict, vehicle: int) -> list[dict]:
    for r in solution["routes"]:
        if r["vehicle"] == vehicle:
            jobs = [{"type": "job", "id": s["id"]} for s in r["steps"] if s["type"] == "job"]
            return [{"type": "start"}, *jobs, {"type": "end"}]
    return []
