"""Field exports of a plan: GPX and KML per team (for phones' navigation apps), GeoJSON of
the whole plan (for a map)."""

from pathlib import Path

import gpxpy.gpx
import simplekml

from geo_service.errors import NotFoundError
from geo_service.geojson import feature_collection
from geo_service.patrol.result import PlanRoute, PlanStop, RoutePlan


def team_route(plan: RoutePlan, team: int) -> PlanRoute:
    """The route of `team` in `plan`, or NotFoundError."""
    if route := plan.route_of(team):
        return route
    teams = [r.team for r in plan.routes]
    raise NotFoundError(f"方案中没有第{team}组路线 (no route for team {team}; teams: {teams})")


def _label(stop: PlanStop) -> str:
    return f"{stop.seq:02d} {stop.house_code}"


def _note(stop: PlanStop) -> str:
    checks = "；".join(
        f"{h['label_zh']}（{'重大' if h['severity'] == 'major' else '一般'}）" for h in stop.hazards
    )
    return (
        f"{stop.address} · 预计 {stop.arrival}–{stop.departure} · "
        f"{'、'.join(stop.reasons_zh)}" + (f" · 核查：{checks}" if checks else "")
    )


def _line(route: PlanRoute) -> list[tuple[float, float]]:
    return [tuple(c) for c in route.geometry["coordinates"]] if route.geometry else []


def team_gpx(plan: RoutePlan, team: int) -> str:
    """GPX 1.1: a waypoint per stop, a route through the stops in order, and the road track."""
    route = team_route(plan, team)
    gpx = gpxpy.gpx.GPX()
    gpx.name = f"回头看 {plan.date} {route.team_name}"
    gpx.description = f"方案 {plan.ref} · {len(route.stops)} 处 · 出发 {route.start}"
    gpx.creator = "geo-service routes"
    rte = gpxpy.gpx.GPXRoute(name=gpx.name)
    for stop in route.stops:
        gpx.waypoints.append(
            gpxpy.gpx.GPXWaypoint(stop.lat, stop.lon, name=_label(stop), description=_note(stop))
        )
        rte.points.append(gpxpy.gpx.GPXRoutePoint(stop.lat, stop.lon, name=_label(stop)))
    gpx.routes.append(rte)
    track = gpxpy.gpx.GPXTrack(name=f"{route.team_name} 行车路线")
    segment = gpxpy.gpx.GPXTrackSegment()
    segment.points = [gpxpy.gpx.GPXTrackPoint(lat, lon) for lon, lat in _line(route)]
    track.segments.append(segment)
    gpx.tracks.append(track)
    return gpx.to_xml(version="1.1")


def team_kml(plan: RoutePlan, team: int) -> str:
    """KML: the road line and a numbered placemark per stop."""
    route = team_route(plan, team)
    kml = simplekml.Kml(name=f"回头看 {plan.date} {route.team_name}")
    line = _line(route)
    if line:
        ls = kml.newlinestring(name=f"{route.team_name} 行车路线", coords=line)
        ls.style.linestyle.width = 4
        ls.style.linestyle.color = simplekml.Color.red
    for stop in route.stops:
        kml.newpoint(name=_label(stop), description=_note(stop), coords=[(stop.lon, stop.lat)])
    return kml.kml()


def plan_geojson(plan: RoutePlan) -> str:
    """The routes (road lines) and their stops (points, in order) as a FeatureCollection."""
    features = []
    for r in plan.routes:
        if r.geometry:
            props = {k: getattr(r, k) for k in ("team", "team_name", "start", "end", "driving_s")}
            features.append({"type": "Feature", "geometry": r.geometry, "properties": props})
        for s in r.stops:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
                    "properties": {
                        "team": r.team,
                        "seq": s.seq,
                        "house_code": s.house_code,
                        "address": s.address,
                        "arrival": s.arrival,
                        "reasons_zh": s.reasons_zh,
                    },
                }
            )
    return feature_collection(features)


def write_team_files(plan: RoutePlan, out_dir: Path) -> list[Path]:
    """team-N.gpx and team-N.kml for every team with a route; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for route in plan.routes:
        for ext, render in (("gpx", team_gpx), ("kml", team_kml)):
            path = out_dir / f"{plan.ref}-team-{route.team}.{ext}"
            path.write_text(render(plan, route.team), encoding="utf-8")
            written.append(path)
    return written
