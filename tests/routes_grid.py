"""A tiny hand-made road grid for the route tests (not a test module).

Vertices V(i, j) at lon 120.070 + 0.001 i, lat 31.700 + 0.001 j for i, j in 0..2; a road
between each pair of neighbours (12 roads), all at 36 km/h = 10 m/s, so a road's travel time
is its length in metres / 10. Lengths are measured independently with pyproj's geodesic on
WGS84 (the same spheroid PostGIS's geography uses). An isolated road lies 1 km east, and
nothing else touches it.
"""

from datetime import date

from pyproj import Geod
from sqlalchemy import Connection, text

LON0, LAT0, STEP = 120.070, 31.700, 0.001
SPEED_MS = 10.0
ISOLATED = ((120.080, 31.700), (120.081, 31.700))
_GEOD = Geod(ellps="WGS84")


def vertex(i: int, j: int) -> tuple[float, float]:
    return (round(LON0 + STEP * i, 6), round(LAT0 + STEP * j, 6))


def length_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    return _GEOD.inv(a[0], a[1], b[0], b[1])[2]


def seconds(*pairs: tuple[tuple[int, int], tuple[int, int]]) -> float:
    """Travel seconds along the roads between consecutive grid vertices."""
    return sum(length_m(vertex(*a), vertex(*b)) for a, b in pairs) / SPEED_MS


def build_grid(conn: Connection, oneway: tuple[tuple[int, int], tuple[int, int]] | None = None):
    """Insert the grid; `oneway` = (from, to) makes that road one-way in that direction."""
    roads = []
    for j in range(3):
        for i in range(2):
            roads.append(((i, j), (i + 1, j)))
    for i in range(3):
        for j in range(2):
            roads.append(((i, j), (i, j + 1)))
    for a, b in roads:
        is_oneway = oneway is not None and {a, b} == set(oneway)
        start, end = oneway if is_oneway else (a, b)
        conn.execute(
            text(
                "INSERT INTO roads (name, road_class, oneway, speed_kmh, geom) VALUES "
                "(:n, 'local', :o, 36, ST_SetSRID(ST_MakeLine(ST_MakePoint(:x1, :y1), "
                "ST_MakePoint(:x2, :y2)), 4326))"
            ),
            {
                "n": f"路{a}-{b}",
                "o": int(is_oneway),
                "x1": vertex(*start)[0],
                "y1": vertex(*start)[1],
                "x2": vertex(*end)[0],
                "y2": vertex(*end)[1],
            },
        )
    (x1, y1), (x2, y2) = ISOLATED
    conn.execute(
        text(
            "INSERT INTO roads (name, road_class, speed_kmh, geom) VALUES ('孤立路', 'local', 36,"
            " ST_SetSRID(ST_MakeLine(ST_MakePoint(:x1, :y1), ST_MakePoint(:x2, :y2)), 4326))"
        ),
        {"x1": x1, "y1": y1, "x2": x2, "y2": y2},
    )


def add_unit(conn: Connection, name: str = "测试村") -> int:
    return conn.execute(
        text("INSERT INTO units (name, kind) VALUES (:n, 'village') RETURNING id"), {"n": name}
    ).scalar_one()


def add_house(
    conn: Connection, unit_id: int, code: str, at: tuple[float, float] | None, **extra
) -> int:
    """A house 3 m north-east of `at` (so it snaps to the vertex at `at`)."""
    values = {
        "house_code": code,
        "unit_id": unit_id,
        "address": f"测试村{code}号",
        "landlord_name": "张三",
        "landlord_phone": "13800001234",
        "rooms": 4,
        "beds": 6,
        "tenants": 6,
        "registered_tenants": 6,
        "is_registered": True,
        "pledge_signed": True,
        **extra,
    }
    cols = ", ".join(values)
    binds = ", ".join(f":{k}" for k in values)
    geom = "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)" if at else "NULL"
    lon, lat = (at[0] + 0.00002, at[1] + 0.00002) if at else (None, None)
    return conn.execute(
        text(f"INSERT INTO houses ({cols}, geom) VALUES ({binds}, {geom}) RETURNING id"),
        {**values, "lon": lon, "lat": lat},
    ).scalar_one()


def add_hazard(
    conn: Connection,
    house_id: int,
    code: str,
    category: str = "lpg_cylinder",
    severity: str = "major",
    found_on: date = date(2026, 11, 1),
    due_on: date = date(2026, 11, 8),
    rectified_on: date | None = None,
) -> int:
    return conn.execute(
        text(
            "INSERT INTO hazards (hazard_code, house_id, category, severity, found_on, due_on,"
            " posted_on_wall, entered_in_system, rectified_on) VALUES (:c, :h, :cat, :s, :f, :d,"
            " true, true, :r) RETURNING id"
        ),
        {
            "c": code,
            "h": house_id,
            "cat": category,
            "s": severity,
            "f": found_on,
            "d": due_on,
            "r": rectified_on,
        },
    ).scalar_one()
