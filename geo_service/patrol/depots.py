"""Where the teams leave from and return to: the town government, the police station, a point."""

from dataclasses import dataclass

from sqlalchemy import Connection, text

from geo_service.errors import ValidationError
from geo_service.patrol.config import RouteParams

ALIASES = {
    "town_government": "town_government",
    "town": "town_government",
    "镇政府": "town_government",
    "police_station": "police_station",
    "police": "police_station",
    "派出所": "police_station",
}


@dataclass(frozen=True)
class Depot:
    key: str
    name: str
    lon: float
    lat: float


def _town_centroid(conn: Connection) -> tuple[float, float] | None:
    # The town = its villages and communities; without boundaries, the middle of the roads.
    row = conn.execute(
        text(
            "SELECT ST_X(c), ST_Y(c) FROM (SELECT coalesce("
            " (SELECT ST_Centroid(ST_Collect(geom)) FROM units"
            "  WHERE kind IN ('village', 'community') AND geom IS NOT NULL),"
            " (SELECT ST_Centroid(ST_Extent(geom)::geometry) FROM roads)) AS c) s"
        )
    ).one()
    return None if row[0] is None else (row[0], row[1])


def _police_unit(conn: Connection) -> tuple[float, float] | None:
    row = conn.execute(
        text(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM units"
            " WHERE name LIKE '%派出所%' AND geom IS NOT NULL ORDER BY id LIMIT 1) s"
        )
    ).one_or_none()
    return None if row is None else (row[0], row[1])


def resolve_depot(conn: Connection, spec: str, params: RouteParams) -> Depot:
    """A depot from "town_government" / "镇政府", "police_station" / "派出所" or "LON,LAT"."""
    spec = spec.strip()
    if "," in spec:
        try:
            lon, lat = (float(x) for x in spec.split(","))
        except ValueError:
            raise ValidationError(
                f"出发点坐标应为 经度,纬度 (depot must be LON,LAT): {spec!r}"
            ) from None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValidationError(f"出发点坐标超出范围 (depot out of range): {spec!r}")
        return Depot(spec, f"出发点 {lon:.5f},{lat:.5f}", lon, lat)
    key = ALIASES.get(spec)
    if key is None:
        raise ValidationError(
            f"未知出发点 (unknown depot) {spec!r}: use town_government (镇政府), "
            "police_station (派出所) or LON,LAT"
        )
    cfg = params.depots.get(key)
    name = cfg.name if cfg else spec
    if cfg and cfg.lon is not None and cfg.lat is not None:
        return Depot(key, name, float(cfg.lon), float(cfg.lat))
    point = _town_centroid(conn) if key == "town_government" else _police_unit(conn)
    if point is None:
        raise ValidationError(
            f"{name} 的位置未知 (location of {key} unknown): set lon/lat under depots.{key} in "
            "the routes config (GEO_ROUTES_PATH), or pass --depot LON,LAT"
        )
    return Depot(key, name, point[0], point[1])
