"""A tiny town for the access-control tests: two villages, one department, marked personal data.

Units: 甲村 (village, lon 120.00–120.05), 乙社区 (community, lon 120.05–120.10), lat
31.68–31.72; 建设局 (department). Houses: HA1, HA2 in 甲村, HB1 in 乙社区. Hazards: ZA1 (HA1,
transferred to 建设局), ZA2 (HA2, not transferred), ZB1 (HB1, transferred to 建设局),
ZB2 (HB1, not transferred). Incidents I1 (甲村), I2 (乙社区). One inspection per house, one
review visit at HA1 and one at HB1.

Every personal value is unique, so a test can look for it in any response body.
"""

from sqlalchemy import Engine, text

# house code → (unit key, landlord, ID number, phone, second landlord, lon, lat)
HOUSES = {
    "HA1": ("A", "张建国", "320483199001011234", "13812345678", "李二房", 120.01, 31.70),
    "HA2": ("A", "王秀英", "320483198802025555", "13900001111", None, 120.02, 31.70),
    "HB1": ("B", "赵大海", "320483197703036666", "13722223333", "钱二房", 120.07, 31.70),
}
# hazard code → (house, category, transferred to the department?)
HAZARDS = {
    "ZA1": ("HA1", "illegal_construction", True),
    "ZA2": ("HA2", "lpg_cylinder", False),
    "ZB1": ("HB1", "unauthorised_change", True),
    "ZB2": ("HB1", "blocked_escape", False),
}
INCIDENTS = {"I1": ("A", 120.011, 31.701), "I2": ("B", 120.071, 31.701)}
INCIDENT_SUMMARY = "测试警情摘要"


def personal_values() -> list[str]:
    """Every raw personal value of the town (names are looked for only where long enough)."""
    values = []
    for _, name, id_number, phone, second, *_ in HOUSES.values():
        values += [name, id_number, phone] + ([second] if second else [])
    return values


def _box(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"SRID=4326;MULTIPOLYGON((({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0})))"


def load(engine: Engine) -> dict[str, int]:
    """Insert the town as the owner; returns ids by code (A, B, DEPT, HA1…, ZA1…, I1…)."""
    ids: dict[str, int] = {}
    with engine.begin() as c:

        def one(sql: str, **p) -> int:
            return c.execute(text(sql), p).scalar_one()

        unit = "INSERT INTO units (name, kind, geom) VALUES (:n, :k, :g) RETURNING id"
        ids["A"] = one(unit, n="甲村", k="village", g=_box(120.00, 31.68, 120.05, 31.72))
        ids["B"] = one(unit, n="乙社区", k="community", g=_box(120.05, 31.68, 120.10, 31.72))
        ids["DEPT"] = one(unit, n="建设局", k="department", g=None)
        for code, (u, name, idn, phone, second, lon, lat) in HOUSES.items():
            ids[code] = one(
                """INSERT INTO houses (house_code, unit_id, address, landlord_name,
                       landlord_id_number, landlord_phone, second_landlord_name,
                       second_landlord_registered, rooms, beds, tenants, registered_tenants,
                       is_registered, pledge_signed, cctv_installed, geom)
                   VALUES (:c, :u, :a, :n, :i, :p, :s, :sr, 12, 14, 16, 15, true, true, false,
                           ST_SetSRID(ST_MakePoint(:x, :y), 4326)) RETURNING id""",
                c=code,
                u=ids[u],
                a=f"洛阳镇{code}号",
                n=name,
                i=idn,
                p=phone,
                s=second,
                sr=True if second else None,
                x=lon,
                y=lat,
            )
        for code, (house, category, transferred) in HAZARDS.items():
            ids[code] = one(
                """INSERT INTO hazards (hazard_code, house_id, category, severity, found_on,
                       due_on, posted_on_wall, entered_in_system, department_id, transferred_on)
                   VALUES (:c, :h, :cat, 'general', DATE '2026-10-01', DATE '2026-12-31',
                           :t, :t, :d, :td) RETURNING id""",
                c=code,
                h=ids[house],
                cat=category,
                t=transferred,
                d=ids["DEPT"] if transferred else None,
                td="2026-10-02" if transferred else None,
            )
        for code, (u, lon, lat) in INCIDENTS.items():
            ids[code] = one(
                """INSERT INTO incidents (incident_code, occurred_at, category, address, summary,
                       unit_id, geom)
                   VALUES (:c, TIMESTAMPTZ '2026-10-05 10:00+08', '盗窃', :a, :s, :u,
                           ST_SetSRID(ST_MakePoint(:x, :y), 4326)) RETURNING id""",
                c=code,
                a=f"洛阳镇{code}警情地址",
                s=INCIDENT_SUMMARY,
                u=ids[u],
                x=lon,
                y=lat,
            )
        for code in HOUSES:
            c.execute(
                text(
                    "INSERT INTO inspections (house_id, inspected_on, kind, inspector) "
                    "VALUES (:h, DATE '2026-10-01', 'self', '网格员')"
                ),
                {"h": ids[code]},
            )
        for code in ("HA1", "HB1"):
            c.execute(
                text(
                    "INSERT INTO review_visits (house_id, visited_at, outcome, recorded_by) "
                    "VALUES (:h, TIMESTAMPTZ '2026-11-01 09:00+08', 'still_open', '督导组')"
                ),
                {"h": ids[code]},
            )
    return ids
