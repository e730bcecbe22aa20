"""The analytics endpoints at city scale, over HTTP as a client sees them.

Which endpoints exist is read from the service's OpenAPI, so the suite measures what the
service has (density arrives with the map work). The goal: p95 under 500 ms for each.
"""

import httpx

from bench.env import AS_OF
from bench.servers import Server
from bench.stats import Timing

GOAL_S = 0.5
# (label, path, extra query) — the goal applies to every one of them.
ENDPOINTS = (
    ("density (hex)", "/analytics/density/hex", {}),
    ("density (hex), hazards", "/analytics/density/hex", {"layer": "hazards"}),
    ("overdue", "/analytics/overdue", {}),
    ("scores (附件1)", "/analytics/scores", {}),
    ("附件2 table (JSON)", "/analytics/table", {}),
    ("附件2 table (.xlsx)", "/analytics/table.xlsx", {}),
    ("CCTV compliance", "/analytics/cctv", {}),
    ("risk ranking, top 100", "/analytics/risk", {"limit": 100}),
)


def _accepts(openapi: dict, path: str) -> set[str] | None:
    op = openapi.get("paths", {}).get(path, {}).get("get")
    if op is None:
        return None
    return {p["name"] for p in op.get("parameters", []) if p.get("in") == "query"}


def measure(server: Server, runs: int) -> list[tuple[str, str, Timing]]:
    """(label, URL path with query, timing) per endpoint the service has."""
    with httpx.Client(base_url=server.url, timeout=600, headers=server.headers) as client:
        openapi = client.get("/openapi.json").json()
        out = []
        for label, path, extra in ENDPOINTS:
            accepted = _accepts(openapi, path)
            if accepted is None:
                if extra:
                    continue  # a variant of an endpoint the service lacks: reported once
                out.append((label, path, Timing(label, errors=["not in this service's API"])))
                continue
            params = {k: v for k, v in extra.items() if k in accepted}
            if extra and len(params) < len(extra):
                continue  # this variant's parameter is not offered: measured by the plain one
            if "as_of" in accepted:
                params["as_of"] = AS_OF.isoformat()
            t = Timing(label)

            def call(params=params, path=path) -> bytes:
                r = client.get(path, params=params)
                if r.status_code != 200:
                    raise RuntimeError(f"HTTP {r.status_code}: {r.text[:200]}")
                return r.content

            t.add(call)  # warm-up, then counted
            t.seconds.clear()
            t.nbytes.clear()
            for _ in range(runs):
                t.add(call)
            query = "&".join(f"{k}={v}" for k, v in params.items())
            out.append((label, path + (f"?{query}" if query else ""), t))
    return out
