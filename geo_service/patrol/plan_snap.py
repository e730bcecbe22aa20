"""Planning step 2, snap: the depots and targets onto the road network, and the travel times
between them (pgRouting, one statement each)."""

from dataclasses import dataclass

from sqlalchemy import Connection

from geo_service.errors import ValidationError
from geo_service.patrol import network
from geo_service.patrol.config import RouteParams
from geo_service.patrol.plan_select import Selection, left_out
from geo_service.patrol.result import UnassignedTarget
from geo_service.patrol.stopwatch import Stopwatch
from geo_service.patrol.targets import Target


@dataclass(frozen=True)
class Snapped:
    depot_vertices: list[int]  # per depot, in the order given
    candidates: list[Target]  # the chosen targets close enough to a road
    vertex_of: dict[int, int]  # house id → road vertex, for the candidates
    costs: dict[tuple[int, int], float]  # travel seconds; a pair with no path is absent
    left_out: list[UnassignedTarget]  # without a location, or too far from any road

    def travel(self, a: int, b: int) -> float | None:
        """Seconds from vertex a to b; None when no road leads there."""
        return 0.0 if a == b else self.costs.get((a, b))


def snap(conn: Connection, selection: Selection, params: RouteParams, clock: Stopwatch) -> Snapped:
    """Refuses a depot farther than `max_snap_m` from the roads; a target that far is left out."""
    network.ensure_topology(conn, params)
    clock.lap("topology_ms")

    depots = selection.depots
    points = {f"d{i}": (d.lon, d.lat) for i, d in enumerate(depots)}
    points |= {f"h{t.house_id}": (t.lon, t.lat) for t in selection.chosen if t.lon is not None}
    snaps = network.snap_points(conn, points)
    for i, d in enumerate(depots):
        if snaps[f"d{i}"].distance_m > params.max_snap_m:
            raise ValidationError(
                f"出发点 {d.name} 离道路超过 {params.max_snap_m:.0f} 米 (depot too far from roads)"
            )
    clock.lap("snap_ms")

    out: list[UnassignedTarget] = []
    candidates: list[Target] = []
    for t in selection.chosen:
        found = snaps.get(f"h{t.house_id}")
        if found is None:
            out.append(left_out(t, "no_location", "房屋无坐标 (house has no location)"))
        elif found.distance_m > params.max_snap_m:
            out.append(
                left_out(
                    t,
                    "too_far_from_road",
                    f"距最近道路 {found.distance_m:.0f} 米，超过 {params.max_snap_m:.0f} 米 "
                    "(too far from any road)",
                )
            )
        else:
            candidates.append(t)
    depot_vertices = [snaps[f"d{i}"].vertex for i in range(len(depots))]
    vertex_of = {t.house_id: snaps[f"h{t.house_id}"].vertex for t in candidates}
    costs = network.cost_matrix(conn, depot_vertices + list(vertex_of.values()))
    clock.lap("matrix_ms")
    return Snapped(depot_vertices, candidates, vertex_of, costs, out)
