"""Which roles may call which endpoint, in one table (SPEC §1; docs/access.md).

An endpoint not listed is open to every logged-in role: what it returns is then decided row
by row in PostgreSQL (a village sees its unit, only police read incidents). The table refuses
(403) the calls a role has no business making even where the database would show it
something, such as town-wide rankings to a department.
`tests/test_access_matrix.py` checks every route of the app against this table.
"""

from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.routing import iter_route_contexts

from geo_service.access.roles import HOTSPOT_ROLES, Role

A, L, S, P, D, V = (
    Role.ADMIN,
    Role.LEADER,
    Role.SUPERVISOR,
    Role.POLICE,
    Role.DEPARTMENT,
    Role.VILLAGE,
)
# Town-wide comparisons of units: meaningless for a department, which sees only the hazards
# transferred to it; a village sees its own unit's figures.
UNIT_FIGURES = frozenset({A, L, S, P, V})
PLANNERS = frozenset({S, P})  # the review phase (回头看): supervision group and police
PLAN_READERS = frozenset({A, L, S, P})
UPLOADERS = frozenset({A, P, D, V})  # 上报数据 (docs/upload.md): what each may upload differs
ADMIN = frozenset({A})

# (method, route path as declared) → roles allowed.
ENDPOINT_ROLES: dict[tuple[str, str], frozenset[Role]] = {
    ("GET", "/audit"): frozenset({A, P}),
    # Incident records are the police's; hot spots are aggregates (hexagons >= 100 m).
    ("GET", "/analytics/incidents/near-houses"): frozenset({P}),
    ("GET", "/analytics/incidents/units"): frozenset({P}),
    ("GET", "/analytics/incidents/hotspots"): HOTSPOT_ROLES,
    ("GET", "/analytics/scores"): UNIT_FIGURES,
    ("GET", "/analytics/table"): UNIT_FIGURES,
    ("GET", "/analytics/table.xlsx"): UNIT_FIGURES,
    ("GET", "/analytics/cctv"): UNIT_FIGURES,
    ("GET", "/analytics/risk"): UNIT_FIGURES,
    ("GET", "/analytics/bulletin"): frozenset({A, L, S, P}),
    ("GET", "/routes/targets"): PLANNERS,
    ("POST", "/routes/plans"): PLANNERS,
    ("POST", "/routes/visits"): PLANNERS,
    ("GET", "/routes/plans/{ref}"): PLAN_READERS,
    ("GET", "/routes/plans/{ref}/instance"): PLAN_READERS,
    ("GET", "/routes/plans/{ref}/geojson"): PLAN_READERS,
    ("GET", "/routes/plans/{ref}/teams/{team}.gpx"): PLAN_READERS,
    ("GET", "/routes/plans/{ref}/teams/{team}.kml"): PLAN_READERS,
    ("GET", "/routes/plans/{ref}/sheet"): PLAN_READERS,
    ("POST", "/imports"): UPLOADERS,
    ("GET", "/imports/{job_id}"): UPLOADERS,
    ("GET", "/imports/{job_id}/files/{seq}/report.xlsx"): UPLOADERS,
    ("GET", "/upload"): UPLOADERS,
    ("GET", "/upload/history"): UPLOADERS,
    ("GET", "/upload/template.xlsx"): UPLOADERS,
    ("GET", "/admin/users"): ADMIN,
    ("POST", "/admin/users"): ADMIN,
    ("POST", "/admin/users/{username}/state"): ADMIN,
    ("POST", "/admin/users/{username}/password"): ADMIN,
    ("POST", "/admin/users/{username}/role"): ADMIN,
    ("GET", "/admin/audit"): ADMIN,
    # Planning and publishing from the browser (/plan); the list of plans is read as plans are.
    ("GET", "/routes/plans"): PLAN_READERS,
    ("POST", "/routes/plans/stream"): PLANNERS,
    ("POST", "/routes/plans/{ref}/publish"): PLANNERS,
    ("GET", "/routes/members"): PLANNERS,
    # The field page (/field): team members are accounts of the planning roles (docs/field.md).
    ("GET", "/routes/field/today"): PLANNERS,
    ("POST", "/routes/field/visits"): PLANNERS,
    ("GET", "/plan"): PLANNERS,
    ("GET", "/field"): PLANNERS,
}


def allowed(method: str, path: str, role: Role) -> bool:
    """May `role` call the route declared as `path` with `method`?"""
    roles = ENDPOINT_ROLES.get((method.upper(), path))
    if roles is None and method.upper() == "HEAD":
        roles = ENDPOINT_ROLES.get(("GET", path))
    return roles is None or role in roles


def route_paths(app: FastAPI) -> dict[Callable, list[str]]:
    """Endpoint function → the full paths it is served at (router prefixes included)."""
    paths = getattr(app.state, "endpoint_paths", None)
    if paths is None:
        paths = {}
        for rc in iter_route_contexts(app.routes):
            endpoint = getattr(rc, "endpoint", None)
            if endpoint is not None:
                paths.setdefault(endpoint, []).append(rc.path)
        app.state.endpoint_paths = paths
    return paths


def request_allowed(request: Request, role: Role) -> bool:
    """May `role` make this request? Checked against every path its endpoint serves."""
    endpoint = request.scope.get("endpoint")
    paths = route_paths(request.app).get(endpoint, [])
    return all(allowed(request.method, p, role) for p in paths)
