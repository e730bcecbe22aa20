"""What a team member's phone shows: today's published route of their team, stop by stop.

Each stop carries what the member needs without network: the address, why it is visited, the
hazards to verify, and links to navigate — a `geo:` URI (WGS84, RFC 5870, any map app) and an
Amap (高德) link with the GCJ-02 coordinates Amap expects.
"""

from datetime import date
from urllib.parse import quote

from sqlalchemy import Connection, text

from geo_service.clock import town_tz
from geo_service.crs import wgs84_to_gcj02
from geo_service.domain.vocabulary import HAZARD_CATEGORIES, SEVERITY_ZH

# What a phone records, and the visit outcome each becomes (geo_service.patrol.visits).
STATUS_ZH = {"visited": "已走访", "no_access": "无人", "refused": "拒绝入户"}


def _team_of(conn: Connection, username: str, on: date):
    return conn.execute(
        text(
            "SELECT p.ref, p.result, p.published_at, p.published_by, m.team"
            " FROM route_plans p JOIN route_plan_members m ON m.plan_ref = p.ref"
            " WHERE p.plan_date = :d AND p.published_at IS NOT NULL AND m.username = :u"
        ),
        {"d": on, "u": username},
    ).one_or_none()


def _visits(conn: Connection, ref: str) -> dict[int, dict]:
    """House → its latest recorded visit on this plan (from a phone or `routes record`)."""
    rows = conn.execute(
        text(
            "SELECT house_id, max(visited_at) AS at, array_agg(DISTINCT outcome) AS outcomes,"
            " (array_agg(recorded_by ORDER BY visited_at DESC))[1] AS by"
            " FROM review_visits WHERE plan_ref = :ref GROUP BY house_id"
        ),
        {"ref": ref},
    ).mappings()
    out = {}
    for r in rows:
        outcomes = set(r["outcomes"])
        status = next((s for s in ("no_access", "refused") if s in outcomes), "visited")
        out[r["house_id"]] = {
            "status": status,
            "status_zh": STATUS_ZH[status],
            "at": r["at"].astimezone(town_tz()).isoformat(timespec="seconds"),
            "by": r["by"],
        }
    return out


def navigation_links(stops: list[dict]) -> None:
    """Add `geo_uri` and `amap_url` to every stop with a location (in place)."""
    located = [s for s in stops if s.get("lon") is not None and s.get("lat") is not None]
    if not located:
        return
    glon, glat = wgs84_to_gcj02([s["lon"] for s in located], [s["lat"] for s in located])
    for s, gx, gy in zip(located, glon.tolist(), glat.tolist(), strict=True):
        label = quote(f"{s['house_code']} {s['address']}", safe="")
        s["geo_uri"] = f"geo:{s['lat']:.6f},{s['lon']:.6f}?q={s['lat']:.6f},{s['lon']:.6f}({label})"
        s["amap_url"] = (
            f"https://uri.amap.com/navigation?to={gx:.6f},{gy:.6f},{label}"
            "&mode=car&coordinate=gaode&callnative=1&src=qzf"
        )
        s["gcj02"] = [round(gx, 6), round(gy, 6)]


def today_route(conn: Connection, username: str, on: date) -> dict:
    """The route of `username`'s team in the plan published for `on` (none: `route` is null)."""
    categories = [
        {"code": c.code, "label_zh": c.label_zh, "group_zh": c.group_zh,
         "severity": c.default_severity.value}
        for c in HAZARD_CATEGORIES
    ]  # fmt: skip
    base = {
        "date": on.isoformat(),
        "username": username,
        "categories": categories,
        "severities": {s.value: zh for s, zh in SEVERITY_ZH.items()},
        "statuses": STATUS_ZH,
    }
    row = _team_of(conn, username, on)
    if row is None:
        return base | {"plan_ref": None, "route": None}
    route = next((r for r in row.result["routes"] if r["team"] == row.team), None)
    visits = _visits(conn, row.ref)
    stops = []
    for s in route["stops"] if route else []:
        stop = {
            k: s.get(k)
            for k in (
                "seq", "house_id", "house_code", "address", "unit_name", "lon", "lat",
                "arrival", "departure", "reasons_zh", "kinds", "hazards", "priority",
                "time_window",
            )
        }  # fmt: skip
        stop["visit"] = visits.get(s["house_id"])
        stops.append(stop)
    navigation_links(stops)
    members = conn.execute(
        text(
            "SELECT username FROM route_plan_members WHERE plan_ref = :ref AND team = :t"
            " ORDER BY username"
        ),
        {"ref": row.ref, "t": row.team},
    ).scalars()
    return base | {
        "plan_ref": row.ref,
        "published_at": row.published_at.astimezone(town_tz()).isoformat(timespec="seconds"),
        "published_by": row.published_by,
        "team": row.team,
        "team_name": f"第{row.team}组",
        "members": list(members),
        "route": None
        if route is None
        else {k: route[k] for k in ("depot", "start", "end", "driving_s", "distance_m")},
        "stops": stops,
    }
