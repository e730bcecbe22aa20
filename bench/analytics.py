"""The analytics endpoints at city scale, over HTTP as a client sees them.

Which endpoints exist is read from the service's OpenAPI, so the suite measures what the
service has. The goal: p95 under 500 ms for each. A call slower than `TIMEOUT_S` is stopped
(the client gives up and the server's query is cancelled) and reported as such.
"""

import httpx
import psycopg2

from bench import auth
from bench.env import AS_OF
from bench.servers import Server
from bench.stats import Timing

GOAL_S = 0.5
TIMEOUT_S = 120.0
BUDGET_S = 60.0  # counted passes of one endpoint stop after about this long
# (label, path, extra query) — the goal applies to every one of them.
ENDPOINTS = (
    ("density: hexagons of hazards", "/analytics/density/hex", {"layer": "hazards"}),
    ("density: hexagons of houses", "/analytics/density/hex", {"layer": "houses"}),
    ("density: per unit", "/analytics/density/units", {}),
    ("density: heat", "/analytics/density/heat", {}),
    ("overdue: every overdue hazard", "/analytics/overdue", {}),
    ("overdue: due within 7 days", "/analytics/overdue", {"due_within": 7}),
    ("scores (附件1), per unit", "/analytics/scores", {"records": "false"}),
    ("scores (附件1) with every record", "/analytics/scores", {}),
    ("附件2 table (JSON)", "/analytics/table", {}),
    ("附件2 table (.xlsx)", "/analytics/table.xlsx", {}),
    ("CCTV compliance", "/analytics/cctv", {}),
    # Incident analytics are police-only (警情): measured as a police user.
    ("incidents per unit", "/analytics/incidents/units", {}),
    ("incidents near houses (1,000)", "/analytics/incidents/near-houses", {"limit": 1000}),
    ("incident hot spots (Gi*)", "/analytics/incidents/hotspots", {}),
    ("risk ranking, top 100", "/analytics/risk", {"limit": 100}),
)


def _accepts(openapi: dict, path: str) -> set[str] | None:
    op = openapi.get("paths", {}).get(path, {}).get("get")
    if op is None:
        return None
    return {p["name"] for p in op.get("parameters", []) if p.get("in") == "query"}


def _cancel_server_queries(db_url: str) -> None:
    """Cancel the service's running queries (a client that gave up leaves them running)."""
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
            " AND state = 'active' AND pid <> pg_backend_pid()"
            " AND application_name = 'geo-service'"
        )
    conn.close()


def measure(server: Server, db_url: str, runs: int) -> list[tuple[str, str, Timing]]:
    """(label, URL path with query, timing) per endpoint the service has, as a supervisor
    (as a police user for the incident analytics)."""
    police = auth.headers_for(server.url, db_url, "police")
    with httpx.Client(base_url=server.url, timeout=TIMEOUT_S, headers=server.headers) as client:
        openapi = auth.openapi(server.url, server.headers)
        out = []
        for label, path, extra in ENDPOINTS:
            accepted = _accepts(openapi, path)
            if accepted is None:
                out.append((label, path, Timing(label, errors=["not in this service's API"])))
                continue
            params = {k: v for k, v in extra.items() if k in accepted}
            if "as_of" in accepted:
                params["as_of"] = AS_OF.isoformat()
            query = "&".join(f"{k}={v}" for k, v in params.items())
            t = Timing(label)

            headers = police if "/incidents/" in path else server.headers

            def call(params=params, path=path, headers=headers) -> bytes:
                r = client.get(path, params=params, headers=headers)
                if r.status_code != 200:
                    raise RuntimeError(f"HTTP {r.status_code}: {r.text[:200]}")
                return r.content

            t.add(call)  # warm-up
            if t.errors:
                if "Timeout" in t.errors[0]:
                    t.errors[0] = f"over {TIMEOUT_S:.0f} s (stopped)"
                    _cancel_server_queries(db_url)
                out.append((label, path + (f"?{query}" if query else ""), t))
                continue
            first = t.seconds[0]
            t.seconds.clear()
            t.nbytes.clear()
            for _ in range(max(1, min(runs, int(BUDGET_S / max(first, 1e-3))))):
                t.add(call)
            out.append((label, path + (f"?{query}" if query else ""), t))
    return out
