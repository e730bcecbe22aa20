"""A small hand-made town for the cross-surface test (tests/test_one_answer.py).

Units: 东村 (village, id 1), 西村 (village, id 2), 南社区 (community, id 3), and the department
建设局 (id 4, no territory). Key areas: a 城中村 in 东村 (holds A1), a 农村自建房 area in 西村
(holds B1), a 老旧小区 in 南社区 (holds C1). Every house has a point, all inside one web-map
tile of zoom 12 (x 3416, y 1667), so a single tile decodes the whole town.

| house | unit | in | 自建房 flag |
|---|---|---|---|
| A1 | 东村 | 城中村 | – |
| A2 | 东村 | – | – |
| B1 | 西村 | 农村自建房 area | – |
| B2 | 西村 | – | yes from 06-15 (counts as rural_self_built by its flag; before, not) |
| B3 | 西村 | – | – |
| C1 | 南社区 | 老旧小区 | – |
| C2 | 南社区 | – | – |

Hazards (2026; found, notice deadline, rectified), with their deadline under the packaged
rules (重大 + 7 days, 一般 + 3 calendar months) and under a town's own (重大 + 3 days,
一般 + 1 calendar month):

| hazard | house | category | severity | found | notice | rectified | due 7 d/3 m | due 3 d/1 m |
|---|---|---|---|---|---|---|---|---|
| Z1 | A1 | open_flame | major | 06-20 | – | – | 06-27 | 06-23 |
| Z2 | A1 | improvised_wiring | general | 05-10 | – | – | 08-10 | 06-10 |
| Z3 | A2 | lpg_cylinder | major | 06-26 | – | – | 07-03 | 06-29 |
| Z4 | B1 | ebike | major | 06-01 | – | 06-05 | 06-08 | 06-04 |
| Z5 | B2 | illegal_construction | general | 03-15 | – | – | 06-15 | 04-15 |
| Z6 | B3 | power_facility | general | 06-05 | 07-31 | – | 07-31 | 07-31 |
| Z7 | C1 | cctv_missing | general | 04-30 | – | – | 07-30 | 05-30 |
| Z8 | C2 | crime | major | 06-29 | – | – | 07-06 | 07-02 |
| Z9 | C1 | blocked_escape | major | 07-10 | – | – | 07-17 | 07-13 |
| Z10 | B1 | dangerous_house | major | 05-01 | – | 07-05 | 05-08 | 05-04 |

Z4 is recorded for 建设局 (its category's own department would be 派出所).

B2's flag has a history (docs/history.md): recorded as not self-built, then, by a write
effective 2026-06-15, self-built — so on 05-31 the 农村自建房 filter does not hold B2 or Z5.
"""

from sqlalchemy import Engine, text

ZOOM, TILE_X, TILE_Y = 12, 3416, 1667  # holds lon 120.234–120.322, lat 31.653–31.728


def _box(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"SRID=4326;MULTIPOLYGON((({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0})))"


UNITS = [
    (1, "东村", "village", _box(120.24, 31.67, 120.26, 31.71)),
    (2, "西村", "village", _box(120.26, 31.67, 120.28, 31.71)),
    (3, "南社区", "community", _box(120.28, 31.67, 120.30, 31.71)),
    (4, "建设局", "department", None),
]
KEY_AREAS = [
    ("urban_village", "东村城中村", _box(120.245, 31.685, 120.255, 31.695)),
    ("rural_self_built", "西村自建房片区", _box(120.265, 31.685, 120.275, 31.695)),
    ("old_estate", "南社区老旧小区", _box(120.285, 31.685, 120.295, 31.695)),
]
# code, unit, lon, lat, self-built (B2: from SELF_BUILT_FROM on)
SELF_BUILT_FROM = "2026-06-15"
HOUSES = [
    ("A1", 1, 120.250, 31.69, False),
    ("A2", 1, 120.245, 31.7, False),
    ("B1", 2, 120.270, 31.69, False),
    ("B2", 2, 120.265, 31.705, True),
    ("B3", 2, 120.278, 31.675, False),
    ("C1", 3, 120.290, 31.69, False),
    ("C2", 3, 120.298, 31.705, False),
]
# code, house, category, severity, found, notice deadline, rectified, department
HAZARDS = [
    ("Z1", "A1", "open_flame", "major", "2026-06-20", None, None, None),
    ("Z2", "A1", "improvised_wiring", "general", "2026-05-10", None, None, None),
    ("Z3", "A2", "lpg_cylinder", "major", "2026-06-26", None, None, None),
    ("Z4", "B1", "ebike", "major", "2026-06-01", None, "2026-06-05", 4),
    ("Z5", "B2", "illegal_construction", "general", "2026-03-15", None, None, None),
    ("Z6", "B3", "power_facility", "general", "2026-06-05", "2026-07-31", None, None),
    ("Z7", "C1", "cctv_missing", "general", "2026-04-30", None, None, None),
    ("Z8", "C2", "crime", "major", "2026-06-29", None, None, None),
    ("Z9", "C1", "blocked_escape", "major", "2026-07-10", None, None, None),
    ("Z10", "B1", "dangerous_house", "major", "2026-05-01", None, "2026-07-05", None),
]


def load(engine: Engine) -> None:
    """Insert the town into an empty migrated database (deadlines: the database derives them)."""
    with engine.begin() as c:
        for uid, name, kind, geom in UNITS:
            c.execute(
                text(
                    "INSERT INTO units (id, name, kind, has_task_list, has_annual_plan, geom) "
                    "VALUES (:id, :n, :k, true, true, ST_GeomFromEWKT(:g))"
                ),
                {"id": uid, "n": name, "k": kind, "g": geom},
            )
        for kind, name, geom in KEY_AREAS:
            c.execute(
                text(
                    "INSERT INTO key_areas (kind, name, geom) VALUES (:k, :n, ST_GeomFromEWKT(:g))"
                ),
                {"k": kind, "n": name, "g": geom},
            )
        for code, unit, lon, lat, self_built in HOUSES:
            c.execute(
                text(
                    "INSERT INTO houses (house_code, unit_id, address, landlord_name, rooms, beds,"
                    " tenants, registered_tenants, is_registered, pledge_signed, is_self_built,"
                    " geom) VALUES (:c, :u, :a, '房东', 4, 6, 6, 6, true, true, :s,"
                    " ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))"
                ),
                {"c": code, "u": unit, "a": f"{code}号", "s": self_built, "lon": lon, "lat": lat},
            )
        # B2 became self-built on SELF_BUILT_FROM: before that its flag was false.
        c.execute(text("UPDATE houses SET is_self_built = false WHERE house_code = 'B2'"))
    with engine.begin() as c:
        c.execute(text("SELECT set_config('geo.effective', :d, true)"), {"d": SELF_BUILT_FROM})
        c.execute(text("UPDATE houses SET is_self_built = true WHERE house_code = 'B2'"))
    with engine.begin() as c:
        for code, house, cat, sev, found, notice, fixed, dept in HAZARDS:
            c.execute(
                text(
                    "INSERT INTO hazards (hazard_code, house_id, category, severity, found_on,"
                    " deadline_on, due_on, posted_on_wall, entered_in_system, rectified_on,"
                    " department_id) SELECT :code, id, :cat, :sev, :found, :notice, :found, true,"
                    " true, :fixed, :dept FROM houses WHERE house_code = :house"
                ),
                {
                    "code": code,
                    "house": house,
                    "cat": cat,
                    "sev": sev,
                    "found": found,
                    "notice": notice,
                    "fixed": fixed,
                    "dept": dept,
                },
            )
