"""Solving an exported VROOM instance with OR-Tools, to compare against VROOM.

Same problem: the durations matrix, one vehicle per team with its depot and shift, service
times, time windows (service starts inside), skills as allowed vehicles, and optional jobs.
VROOM maximises the total priority of the served jobs first, then their number, then
minimises cost; the drop penalties below reproduce that order (a priority point outweighs any
number of jobs, a job outweighs any route cost).
"""

import itertools

from geo_service.errors import SetupError

_HORIZON = 2 * 86400


def solve_ortools(instance: dict, time_limit_s: int = 60) -> dict:
    """A VROOM-shaped summary: cost (driving seconds), routes of job ids, unassigned ids."""
    try:
        from ortools.constraint_solver import pywrapcp, routing_enums_pb2
    except ImportError:
        raise SetupError("未安装 ortools (ortools is not installed): pip install ortools") from None
    durations = instance["matrices"]["car"]["durations"]
    vehicles, jobs = instance["vehicles"], instance["jobs"]
    starts = [v["start_index"] for v in vehicles]
    ends = [v["end_index"] for v in vehicles]
    # OR-Tools nodes: one per job plus the depots' locations (nodes are matrix locations).
    job_nodes = [j["location_index"] for j in jobs]
    depot_nodes = sorted(set(starts) | set(ends))
    nodes = depot_nodes + job_nodes
    node_of_depot = {loc: i for i, loc in enumerate(depot_nodes)}
    manager = pywrapcp.RoutingIndexManager(
        len(nodes),
        len(vehicles),
        [node_of_depot[s] for s in starts],
        [node_of_depot[e] for e in ends],
    )
    routing = pywrapcp.RoutingModel(manager)
    service = [0] * len(depot_nodes) + [j.get("service", 0) for j in jobs]

    def travel(i: int, j: int) -> int:
        return durations[nodes[manager.IndexToNode(i)]][nodes[manager.IndexToNode(j)]]

    def time(i: int, j: int) -> int:
        return service[manager.IndexToNode(i)] + travel(i, j)

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(travel))
    routing.AddDimension(routing.RegisterTransitCallback(time), _HORIZON, _HORIZON, False, "time")
    dim = routing.GetDimensionOrDie("time")
    for v, veh in enumerate(vehicles):
        t0, t1 = veh.get("time_window", [0, _HORIZON])
        dim.CumulVar(routing.Start(v)).SetRange(t0, t1)
        dim.CumulVar(routing.End(v)).SetRange(t0, t1)
    max_cost = sum(max(row) for row in durations if row) + 1
    job_penalty = max_cost
    priority_penalty = job_penalty * (len(jobs) + 1)
    for n, job in enumerate(jobs):
        index = manager.NodeToIndex(len(depot_nodes) + n)
        windows = job.get("time_windows")
        if windows:
            dim.CumulVar(index).SetRange(min(w[0] for w in windows), max(w[1] for w in windows))
            for (_, b), (a, _) in itertools.pairwise(windows):
                dim.CumulVar(index).RemoveInterval(b + 1, a - 1)
        allowed = [
            v
            for v, veh in enumerate(vehicles)
            if set(job.get("skills", [])) <= set(veh.get("skills", []))
        ]
        if len(allowed) < len(vehicles):
            routing.SetAllowedVehiclesForIndex(allowed, index)
        routing.AddDisjunction([index], job_penalty + priority_penalty * job.get("priority", 0))
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    search.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    search.time_limit.seconds = int(time_limit_s)
    solution = routing.SolveWithParameters(search)
    if solution is None:
        return {"cost": None, "routes": [], "unassigned": [j["id"] for j in jobs]}
    routes, served, cost = [], set(), 0
    for v, veh in enumerate(vehicles):
        index, ids, leg_cost = routing.Start(v), [], 0
        while not routing.IsEnd(index):
            nxt = solution.Value(routing.NextVar(index))
            leg_cost += travel(index, nxt)
            node = manager.IndexToNode(nxt)
            if node >= len(depot_nodes):
                ids.append(jobs[node - len(depot_nodes)]["id"])
            index = nxt
        if ids:
            routes.append({"vehicle": veh["id"], "jobs": ids, "duration": leg_cost})
            cost += leg_cost
            served.update(ids)
    return {
        "cost": cost,
        "routes": routes,
        "unassigned": [j["id"] for j in jobs if j["id"] not in served],
        "priority": sum(j.get("priority", 0) for j in jobs if j["id"] in served),
    }
