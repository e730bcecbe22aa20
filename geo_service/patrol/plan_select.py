"""Planning step 1, select: the day's targets, the depots, and the plan's limit on targets."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from geo_service.analytics.risk import RiskWeights
from geo_service.domain.rules import RuleParams
from geo_service.errors import ValidationError
from geo_service.patrol.config import RouteParams
from geo_service.patrol.depots import Depot, resolve_depot
from geo_service.patrol.result import UnassignedReason, UnassignedTarget
from geo_service.patrol.targets import Target, select_targets


def left_out(t: Target, reason: UnassignedReason, reason_zh: str) -> UnassignedTarget:
    """A target no route serves, and why."""
    return UnassignedTarget(
        house_id=t.house_id,
        house_code=t.house_code,
        address=t.address,
        priority=t.priority,
        kinds=t.kinds,
        reason=reason,
        reason_zh=reason_zh,
    )


@dataclass(frozen=True)
class Selection:
    targets: list[Target]  # every target as of the day, highest priority first
    chosen: list[Target]  # those within the plan's limit, to be planned
    depots: list[Depot]
    left_out: list[UnassignedTarget]  # removed by the planner, or beyond the limit


def select(
    conn: Connection,
    on: date,
    house_ids: list[int],
    windows: dict[int, tuple[int, int]],
    depot_specs: list[str],
    max_targets: int | None,
    params: RouteParams,
    rules: RuleParams,
    exclude_ids: list[int] | None = None,
    pins: dict[int, int | None] | None = None,
    weights: RiskWeights | None = None,
) -> Selection:
    """The targets as of `on` (plus `house_ids` and pinned houses), the depots, and which
    targets the limit keeps (key-area houses ranked with `weights`, the settings' risk
    weights). Removed targets (`exclude_ids`) are left out with the reason
    `removed`; pinned ones get the highest priority, so no limit cuts them.

    Visiting hours for a house that is not a target, and a limit below 1, are refused.
    """
    pins = pins or {}
    excluded = set(exclude_ids or ())
    found = select_targets(conn, on, params, rules, [*house_ids, *pins], windows, weights)
    removed = [
        left_out(t, "removed", "规划人员已移除 (removed by the planner)")
        for t in found
        if t.house_id in excluded
    ]
    targets = [t for t in found if t.house_id not in excluded]
    _pin(targets, pins, params)
    if stray := sorted(set(windows) - {t.house_id for t in targets}):
        raise ValidationError(
            f"可访时段所指房屋不在目标中，请用 --house 加入 (windows for non-targets): {stray}"
        )
    depots = [resolve_depot(conn, spec, params) for spec in depot_specs]
    limit = params.max_targets if max_targets is None else max_targets
    if limit < 1:
        raise ValidationError("目标上限应为正整数 (max targets must be ≥ 1)")
    # Targets come highest priority first: beyond the limit they wait for another day.
    beyond = [
        left_out(
            t, "over_limit", f"超出单次规划上限 {limit} 处，留待下次 (beyond the plan's limit)"
        )
        for t in targets[limit:]
    ]
    return Selection(targets, targets[:limit], depots, [*removed, *beyond])


def _pin(targets: list[Target], pins: dict[int, int | None], params: RouteParams) -> None:
    # The highest priority VROOM knows; re-sorted so a limit never cuts a pinned target.
    for t in targets:
        if t.house_id in pins:
            t.kinds = [*t.kinds, "pinned"]
            t.priority = params.priority_max
    targets.sort(key=lambda t: (-t.priority, t.house_id))
