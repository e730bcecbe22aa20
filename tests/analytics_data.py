"""A small hand-made town for the analytics tests; expected figures are worked out by hand in
the tests (never by the code under test). D = 2026-05-31 unless a test says otherwise.

Units: 甲村 (A), 乙社区 (B), 丙村 (C, no houses), 丁村 (D), and departments 建设局, 电力公司.

Houses (rooms/beds/tenants/registered; 登记; 保证书; 二房东; CCTV; 消防器材; 检查):
  JA-01  10/ 8/50/48   reg  pledge  张三 registered   CCTV yes, 30 days   kit all    insp 05-10
  JA-02   9/ 9/40/40   NOT  no      李四 NOT reg      CCTV yes, 29 days   no masks   last 04-30,
                                                                                     record 05-31
  JA-03   9/ 9/ 9/ 5   reg  no      —                 CCTV unknown        unknown    record 06-01
  JA-04   2/10/ 1/ 1   reg  pledge  —                 CCTV unknown        2 of 3     last 06-02
  YB-01   3/ 3/9000/8550 reg no     —                 CCTV yes, 90 days   —          —
  YB-02   3/ 3/1000/949  reg no     —                 CCTV NO             —          —
  YB-03..YB-12  1/1/0/0  reg no     —                 —                   —          —
  DD-01   1/ 1/20/19   reg  pledge  王五 registered   —                   —          last 05-01

Hazards (category, severity, found, notice deadline, wall/system/transferred_on, rectified):
  HA-1 JA-01 lpg_cylinder          major   05-24  —      T/T/05-25  —
  HA-2 JA-01 open_flame            major   05-23  —      T/F/—      —
  HA-3 JA-02 improvised_wiring     general 01-31  —      T/T/06-03  06-05   (dept 电力公司)
  HA-4 JA-02 ebike                 major   05-01  —      T/T/—      05-06
  HA-5 JA-03 unauthorised_change   general 06-01  —      F/F/—      —
  HA-6 JA-04 dangerous_house       major   05-20  06-30  F/F/—      —
  HA-7 JA-04 fire_equipment_missing general 02-28 —      T/T/—      05-31
  HB-1 YB-01 cctv_missing          general 05-31  —      T/F/—      —
"""

from datetime import date

from sqlalchemy import Connection, Engine, text

D = date(2026, 5, 31)


def _square(x: float, y: float, size: float = 0.01) -> str:
    return f"MULTIPOLYGON((({x} {y},{x + size} {y},{x + size} {y + size},{x} {y + size},{x} {y})))"


UNITS = [
    # name, kind, task list, annual plan, lower-left corner
    ("甲村", "village", True, True, (120.00, 31.70)),
    ("乙社区", "community", False, None, (120.01, 31.70)),
    ("丙村", "village", True, True, (120.02, 31.70)),
    ("丁村", "village", True, True, (120.03, 31.70)),
    ("建设局", "department", None, None, None),
    ("电力公司", "department", None, None, None),
]

_H = [
    "house_code",
    "unit",
    "rooms",
    "beds",
    "tenants",
    "registered_tenants",
    "is_registered",
    "pledge_signed",
    "second_landlord_name",
    "second_landlord_registered",
    "cctv_installed",
    "cctv_retention_days",
    "has_smoke_masks",
    "has_torches",
    "has_extinguishers",
    "last_inspected_on",
    "lon",
    "lat",
]
HOUSES = [
    ("JA-01", "甲村", 10, 8, 50, 48, True, True, "张三", True, True, 30, True, True, True,
     date(2026, 5, 10), 120.002, 31.702),
    ("JA-02", "甲村", 9, 9, 40, 40, False, False, "李四", False, True, 29, False, True, True,
     date(2026, 4, 30), 120.004, 31.702),
    ("JA-03", "甲村", 9, 9, 9, 5, True, False, None, None, None, None, None, None, None,
     None, 120.006, 31.708),
    ("JA-04", "甲村", 2, 10, 1, 1, True, True, None, None, None, None, True, True, None,
     date(2026, 6, 2), 120.008, 31.708),
    ("YB-01", "乙社区", 3, 3, 9000, 8550, True, False, None, None, True, 90, None, None, None,
     None, 120.012, 31.702),
    ("YB-02", "乙社区", 3, 3, 1000, 949, True, False, None, None, False, None, None, None, None,
     None, 120.014, 31.702),
    *[
        (f"YB-{i:02d}", "乙社区", 1, 1, 0, 0, True, False, None, None, None, None, None, None,
         None, None, 120.011 + i * 0.0005, 31.705)
        for i in range(3, 13)
    ],
    ("DD-01", "丁村", 1, 1, 20, 19, True, True, "王五", True, None, None, None, None, None,
     date(2026, 5, 1), 120.035, 31.705),
]  # fmt: skip

INSPECTIONS = [("JA-02", date(2026, 5, 31)), ("JA-03", date(2026, 6, 1))]

HAZARDS = [
    # code, house, category, severity, found, notice deadline, stored due_on, wall, system,
    # transferred_on, rectified_on, department
    ("HA-1", "JA-01", "lpg_cylinder", "major", date(2026, 5, 24), None, date(2026, 5, 31),
     True, True, date(2026, 5, 25), None, None),
    ("HA-2", "JA-01", "open_flame", "major", date(2026, 5, 23), None, date(2026, 5, 30),
     True, False, None, None, None),
    ("HA-3", "JA-02", "improvised_wiring", "general", date(2026, 1, 31), None,
     date(2026, 4, 30), True, True, date(2026, 6, 3), date(2026, 6, 5), "电力公司"),
    ("HA-4", "JA-02", "ebike", "major", date(2026, 5, 1), None, date(2026, 5, 8),
     True, True, None, date(2026, 5, 6), None),
    ("HA-5", "JA-03", "unauthorised_change", "general", date(2026, 6, 1), None,
     date(2026, 9, 1), False, False, None, None, None),
    ("HA-6", "JA-04", "dangerous_house", "major", date(2026, 5, 20), date(2026, 6, 30),
     date(2026, 6, 30), False, False, None, None, None),
    ("HA-7", "JA-04", "fire_equipment_missing", "general", date(2026, 2, 28), None,
     date(2026, 5, 28), True, True, None, date(2026, 5, 31), None),
    ("HB-1", "YB-01", "cctv_missing", "general", date(2026, 5, 31), None, date(2026, 8, 31),
     True, False, None, None, None),
]  # fmt: skip

# 城中村 covering JA-01 and JA-02 only (x 120.001–120.005, y 31.701–31.703).
URBAN_VILLAGE = (
    "MULTIPOLYGON(((120.001 31.701,120.005 31.701,120.005 31.703,120.001 31.703,120.001 31.701)))"
)


def load(engine: Engine) -> None:
    """Insert the hand-made town into an empty migrated database."""
    with engine.begin() as conn:
        for name, kind, task, plan, corner in UNITS:
            conn.execute(
                text(
                    "INSERT INTO units (name, kind, has_task_list, has_annual_plan, geom) "
                    "VALUES (:n, :k, :t, :p, ST_GeomFromText(:g, 4326))"
                ),
                {"n": name, "k": kind, "t": task, "p": plan, "g": corner and _square(*corner)},
            )
        for row in HOUSES:
            h = dict(zip(_H, row, strict=True))
            conn.execute(
                text(
                    "INSERT INTO houses (house_code, unit_id, address, landlord_name, rooms, "
                    "beds, tenants, registered_tenants, is_registered, pledge_signed, "
                    "second_landlord_name, second_landlord_registered, cctv_installed, "
                    "cctv_retention_days, has_smoke_masks, has_torches, has_extinguishers, "
                    "last_inspected_on, geom) "
                    "SELECT :house_code, u.id, :unit || :house_code || '号', '房东', :rooms, "
                    ":beds, :tenants, :registered_tenants, :is_registered, :pledge_signed, "
                    ":second_landlord_name, :second_landlord_registered, :cctv_installed, "
                    ":cctv_retention_days, :has_smoke_masks, :has_torches, :has_extinguishers, "
                    ":last_inspected_on, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) "
                    "FROM units u WHERE u.name = :unit"
                ),
                h,
            )
        for code, on in INSPECTIONS:
            conn.execute(
                text(
                    "INSERT INTO inspections (house_id, inspected_on, kind) "
                    "SELECT id, :on, 'self' FROM houses WHERE house_code = :c"
                ),
                {"c": code, "on": on},
            )
        for code, house, cat, sev, found, notice, due, wall, system, moved, fixed, dept in HAZARDS:
            conn.execute(
                text(
                    "INSERT INTO hazards (hazard_code, house_id, category, severity, found_on, "
                    "deadline_on, due_on, posted_on_wall, entered_in_system, transferred_on, "
                    "rectified_on, department_id) "
                    "SELECT :code, h.id, :cat, :sev, :found, :notice, :due, :wall, :system, "
                    ":moved, :fixed, (SELECT id FROM units WHERE name = :dept) "
                    "FROM houses h WHERE h.house_code = :house"
                ),
                {
                    "code": code,
                    "house": house,
                    "cat": cat,
                    "sev": sev,
                    "found": found,
                    "notice": notice,
                    "due": due,
                    "wall": wall,
                    "system": system,
                    "moved": moved,
                    "fixed": fixed,
                    "dept": dept,
                },
            )
        conn.execute(
            text(
                "INSERT INTO key_areas (kind, name, geom) "
                "VALUES ('urban_village', '甲村城中村', ST_GeomFromText(:g, 4326))"
            ),
            {"g": URBAN_VILLAGE},
        )


def add_incidents(conn: Connection, incidents: list[tuple[str, str, float, float]]) -> None:
    """警情 (code, occurred at, lon, lat), all of category 纠纷, for the risk tests."""
    for code, when, lon, lat in incidents:
        conn.execute(
            text(
                "INSERT INTO incidents (incident_code, occurred_at, category, address, geom) "
                "VALUES (:c, :t, '纠纷', 'x', ST_SetSRID(ST_MakePoint(:x, :y), 4326))"
            ),
            {"c": code, "t": when, "x": lon, "y": lat},
        )
