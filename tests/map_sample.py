"""A small hand-made town for the map tests, with every count written out by hand.

Three units (甲村, 乙社区, 丙村) and one department, one key area of each kind, 12 houses (one
without a point), 10 hazards, 5 incidents, 3 roads. As of 2026-06-30 (`AS_OF`):

| hazard | house | category | severity | found | due | rectified | status on AS_OF (days) |
|---|---|---|---|---|---|---|---|
| Z01 | H001 (甲村, 城中村) | open_flame | major | 06-01 | 06-08 | – | overdue 22 |
| Z02 | H001 | improvised_wiring | general | 05-15 | 08-15 | – | open |
| Z03 | H002 (甲村) | lpg_cylinder | major | 03-01 | 03-08 | 03-05 | rectified |
| Z04 | H004 (乙社区, 老旧小区) | ebike | major | 06-20 | 06-27 | – | overdue 3 |
| Z05 | H005 (乙社区, 老旧小区+校园) | cctv_missing | general | 01-10 | 04-10 | – | overdue 81 |
| Z06 | H007 (丙村, 安置小区) | dangerous_house | major | 06-25 | 07-02 | – | open |
| Z07 | H008 (丙村, 自建房区) | illegal_construction | gen. | 02-01 | 05-01 | 07-15 | overdue 60 |
| Z08 | H010 (丙村) | blocked_escape | major | 07-10 | 07-17 | – | not yet found |
| Z09 | H003 (甲村) | power_facility | general | 04-01 | 07-01 | – | open (due tomorrow) |
| Z10 | H012 (乙社区, no point) | crime | major | 05-01 | 05-08 | – | overdue 53 |
"""

from datetime import date

from sqlalchemy import create_engine, text

from geo_service.db import sqlalchemy_url

AS_OF = date(2026, 6, 30)
# H004: a house at a known WGS84 point (the GCJ-02 test looks for it).
KNOWN_HOUSE = {"code": "H004", "lon": 120.08, "lat": 31.70}


def _box(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"ST_Multi(ST_MakeEnvelope({x0}, {y0}, {x1}, {y1}, 4326))"


UNITS = [
    (1, "甲村", "village", True, True, _box(120.05, 31.69, 120.07, 31.71)),
    (2, "乙社区", "community", True, False, _box(120.07, 31.69, 120.09, 31.71)),
    (3, "丙村", "village", False, False, _box(120.05, 31.67, 120.09, 31.69)),
    (4, "建设局", "department", None, None, "NULL"),
]
KEY_AREAS = [
    ("urban_village", "城中村甲", _box(120.055, 31.695, 120.065, 31.705)),
    ("old_estate", "老旧小区乙", _box(120.075, 31.695, 120.085, 31.705)),
    ("resettlement_estate", "安置小区丙", _box(120.06, 31.675, 120.07, 31.685)),
    ("rural_self_built", "自建房片区丙", _box(120.075, 31.675, 120.085, 31.685)),
    ("campus", "校园周边乙", _box(120.078, 31.703, 120.082, 31.707)),
]
# code, unit, lon, lat, tenants, registered, self-built, landlord, phone
HOUSES = [
    ("H001", 1, 120.06, 31.70, 12, 10, False, "张建国", "13812345678"),
    ("H002", 1, 120.052, 31.692, 5, 5, False, "李明", None),
    ("H003", 1, 120.068, 31.708, 8, 8, False, "王芳", None),
    ("H004", 2, 120.08, 31.70, 6, 6, False, "赵强", "13900001111"),
    ("H005", 2, 120.0805, 31.705, 15, 12, False, "陈静", None),
    ("H006", 2, 120.088, 31.692, 4, 4, False, "刘洋", None),
    ("H007", 3, 120.065, 31.68, 9, 9, False, "杨勇", None),
    ("H008", 3, 120.08, 31.68, 7, 5, True, "黄磊", None),
    ("H009", 3, 120.055, 31.672, 3, 3, True, "周杰", None),
    ("H010", 3, 120.088, 31.688, 10, 10, False, "吴敏", None),
    ("H011", 1, 120.058, 31.702, 6, 6, False, "徐丽", None),
    ("H012", 2, None, None, 5, 5, False, "孙伟", None),
]
# code, house, category, severity, found, due, rectified
HAZARDS = [
    ("Z01", "H001", "open_flame", "major", "2026-06-01", "2026-06-08", None),
    ("Z02", "H001", "improvised_wiring", "general", "2026-05-15", "2026-08-15", None),
    ("Z03", "H002", "lpg_cylinder", "major", "2026-03-01", "2026-03-08", "2026-03-05"),
    ("Z04", "H004", "ebike", "major", "2026-06-20", "2026-06-27", None),
    ("Z05", "H005", "cctv_missing", "general", "2026-01-10", "2026-04-10", None),
    ("Z06", "H007", "dangerous_house", "major", "2026-06-25", "2026-07-02", None),
    ("Z07", "H008", "illegal_construction", "general", "2026-02-01", "2026-05-01", "2026-07-15"),
    ("Z08", "H010", "blocked_escape", "major", "2026-07-10", "2026-07-17", None),
    ("Z09", "H003", "power_facility", "general", "2026-04-01", "2026-07-01", None),
    ("Z10", "H012", "crime", "major", "2026-05-01", "2026-05-08", None),
]
# code, when, category, unit, lon, lat (J05 is more than 12 months before AS_OF)
INCIDENTS = [
    ("J01", "2026-06-10 21:00+08", "盗窃", 1, 120.0601, 31.7001),
    ("J02", "2026-05-02 10:00+08", "纠纷", 1, 120.0598, 31.6999),
    ("J03", "2026-01-20 23:30+08", "治安", 1, 120.0603, 31.7003),
    ("J04", "2026-06-29 08:15+08", "火警", 2, 120.0802, 31.7002),
    ("J05", "2025-05-01 12:00+08", "诈骗", 3, 120.065, 31.68),
]
ROADS = [
    ("洛阳大道", "primary", "120.05 31.69, 120.07 31.69, 120.09 31.69"),
    ("中心路", "secondary", "120.07 31.67, 120.07 31.71"),
    ("村道", "local", "120.055 31.70, 120.065 31.70"),
]


def load(url: str) -> None:
    """Insert the sample town into the (empty, migrated) database at `url`."""
    engine = create_engine(sqlalchemy_url(url))
    with engine.begin() as c:
        for uid, name, kind, task, plan, geom in UNITS:
            c.execute(
                text(
                    "INSERT INTO units (id, name, kind, has_task_list, has_annual_plan, geom) "
                    f"VALUES (:id, :name, :kind, :task, :plan, {geom})"
                ),
                {"id": uid, "name": name, "kind": kind, "task": task, "plan": plan},
            )
        for kind, name, geom in KEY_AREAS:
            c.execute(
                text(f"INSERT INTO key_areas (kind, name, geom) VALUES (:k, :n, {geom})"),
                {"k": kind, "n": name},
            )
        for code, unit, lon, lat, tenants, reg, self_built, landlord, phone in HOUSES:
            c.execute(
                text(
                    "INSERT INTO houses (house_code, unit_id, address, landlord_name, "
                    "landlord_phone, rooms, beds, tenants, registered_tenants, is_registered, "
                    "pledge_signed, cctv_installed, is_self_built, geom) VALUES (:code, :unit, "
                    ":addr, :landlord, :phone, 4, 8, :tenants, :reg, true, :pledge, false, "
                    ":self_built, CASE WHEN CAST(:lon AS float8) IS NULL THEN NULL "
                    "ELSE ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) END)"
                ),
                {
                    "code": code,
                    "unit": unit,
                    "addr": f"洛阳镇{code}号",
                    "landlord": landlord,
                    "phone": phone,
                    "tenants": tenants,
                    "reg": reg,
                    "pledge": code != "H001",
                    "self_built": self_built,
                    "lon": lon,
                    "lat": lat,
                },
            )
        for code, house, cat, sev, found, due, rect in HAZARDS:
            c.execute(
                text(
                    "INSERT INTO hazards (hazard_code, house_id, category, severity, found_on, "
                    "due_on, posted_on_wall, entered_in_system, rectified_on) SELECT :code, id, "
                    ":cat, :sev, :found, :due, true, :entered, :rect FROM houses "
                    "WHERE house_code = :house"
                ),
                {
                    "code": code,
                    "house": house,
                    "cat": cat,
                    "sev": sev,
                    "found": found,
                    "due": due,
                    "rect": rect,
                    "entered": code != "Z02",
                },
            )
        for code, when, cat, unit, lon, lat in INCIDENTS:
            c.execute(
                text(
                    "INSERT INTO incidents (incident_code, occurred_at, category, address, "
                    "unit_id, geom) VALUES (:code, :when, :cat, '洛阳镇', :unit, "
                    "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))"
                ),
                {"code": code, "when": when, "cat": cat, "unit": unit, "lon": lon, "lat": lat},
            )
        for name, cls, coords in ROADS:
            c.execute(
                text(
                    "INSERT INTO roads (name, road_class, geom) "
                    f"VALUES (:n, :c, ST_GeomFromText('LINESTRING({coords})', 4326))"
                ),
                {"n": name, "c": cls},
            )
        c.execute(
            text(
                "INSERT INTO meta (key, value) VALUES ('dataset', "
                '\'{"synthetic": true, "name": "map sample"}\')'
            )
        )
    engine.dispose()
