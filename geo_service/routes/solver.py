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
