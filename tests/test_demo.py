"""The synthetic demo town as loaded (seed 7, scale 1, as of 2026-11-15): counts, plausibility,
tessellation, a routable road network, clustering. Loading behaviour: tests/test_demo_load.py.
"""

from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import text

from geo_service.demo.generate import generate
from geo_service.demo.people import id_numbers
from geo_service.domain.rules import load_rule_params
from geo_service.domain.vocabulary import HAZARD_CATEGORIES

SPEC_NAMES = {"洛阳社区", "洛东社区", "戴溪社区", "岑村村", "汤墅村", "马鞍村", "朝安村", "阳湖村",
              "虞桥村", "谈家头村", "小留桥村", "天井村", "友谊村", "管城村", "东尖村"}  # fmt: skip


def _all(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def _one(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


# --- pure functions ---------------------------------------------------------------------------


def test_id_numbers_are_wujin_with_a_valid_check_digit():
    ids = id_numbers(np.random.default_rng(1), 500)
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    for n in ids:
        assert len(n) == 18 and n[:6] in ("320412", "320483")
        date.fromisoformat(f"{n[6:10]}-{n[10:12]}-{n[12:14]}")  # a real birth date
        assert (
            n[17]
            == "10X98765432"[sum(int(c) * w for c, w in zip(n[:17], weights, strict=True)) % 11]
        )
    # The published example of the standard (GB 11643): 11010519491231002X.
    example = sum(int(c) * w for c, w in zip("11010519491231002", weights, strict=True))
    assert "10X98765432"[example % 11] == "X"


def test_generation_is_deterministic_and_depends_on_the_seed():
    p, day = load_rule_params(), date(2026, 11, 15)
    a, b = generate(7, 0.2, day, p), generate(7, 0.2, day, p)
    c = generate(8, 0.2, day, p)
    for table in ("houses", "hazards", "incidents", "addresses"):
        for col, values in a.tables[table].items():
            assert pd.Series(values).equals(pd.Series(b.tables[table][col])), col
    names_a, names_c = a.tables["houses"]["landlord_name"], c.tables["houses"]["landlord_name"]
    assert not np.array_equal(names_a, names_c)
    # The layout does not move with the scale: same units, same roads.
    d = generate(7, 0.5, day, p)
    assert list(a.tables["units"]["geom"]) == list(d.tables["units"]["geom"])
    assert list(a.tables["roads"]["geom"]) == list(d.tables["roads"]["geom"])


# --- the loaded demo town ---------------------------------------------------------------------


def test_counts_at_scale_one(demo_engine):
    counts = dict(_all(demo_engine, "SELECT kind, count(*) FROM units GROUP BY kind"))
    assert counts["village"] + counts["community"] == 20 and counts["department"] == 4
    names = {r[0] for r in _all(demo_engine, "SELECT name FROM units")}
    assert names >= SPEC_NAMES and {"建设局", "自规所", "电力公司", "派出所"} <= names
    assert (
        _one(demo_engine, "SELECT count(*) FROM units WHERE kind='department' AND geom IS NULL")
        == 4
    )
    assert _one(demo_engine, "SELECT count(*) FROM houses") == 3000
    assert 3990 <= _one(demo_engine, "SELECT count(*) FROM hazards") <= 4013
    assert _one(demo_engine, "SELECT count(*) FROM incidents") == 1500
    assert _one(demo_engine, "SELECT count(*) FROM addresses") == 3900  # 30 % more than houses
    assert _one(demo_engine, "SELECT count(*) FROM schools") == 8
    # A year of inspections with outcomes (issue 16): ~14,700 at seed 7, was ~7,000 before.
    assert 4000 < _one(demo_engine, "SELECT count(*) FROM inspections") < 20000
    kinds = dict(_all(demo_engine, "SELECT kind, count(*) FROM key_areas GROUP BY kind"))
    assert set(kinds) == {"urban_village", "old_estate", "resettlement_estate",
                          "rural_self_built", "campus"} and kinds["campus"] == 8  # fmt: skip
    meta = _one(demo_engine, "SELECT value FROM meta WHERE key = 'dataset'")
    assert meta["synthetic"] is True and meta["town"] == "洛阳镇（合成演示）"
    assert (meta["seed"], meta["scale"], meta["as_of"]) == (7, 1.0, "2026-11-15")


def test_hazards_cover_every_category_and_every_lifecycle_case(demo_engine, demo_as_of):
    cats = {r[0] for r in _all(demo_engine, "SELECT DISTINCT category FROM hazards")}
    assert cats == {c.code for c in HAZARD_CATEGORIES}
    sql = """SELECT
        count(*) FILTER (WHERE rectified_on IS NULL AND due_on < :d) AS overdue,
        count(*) FILTER (WHERE rectified_on > due_on) AS late,
        count(*) FILTER (WHERE rectified_on <= due_on) AS on_time,
        count(*) FILTER (WHERE posted_on_wall AND NOT entered_in_system) AS wall_only,
        count(*) FILTER (WHERE deadline_on IS NOT NULL) AS notice,
        count(*) FILTER (WHERE found_on > :d OR found_on <= :d - 365) AS outside_year,
        count(*) FILTER (WHERE rectified_on > :d OR transferred_on > :d) AS future
        FROM hazards"""
    with demo_engine.connect() as conn:
        r = conn.execute(text(sql), {"d": demo_as_of}).one()
    assert r.overdue > 100 and r.late > 100 and r.on_time > 1000
    assert r.wall_only > 50 and r.notice > 500
    assert r.outside_year == 0 and r.future == 0
    # Transferred = on the wall AND in the system, and then it went to the category's department.
    assert _one(demo_engine, """SELECT count(*) FROM hazards h
        JOIN hazard_categories c ON c.code = h.category LEFT JOIN units u ON u.id = h.department_id
        WHERE (h.posted_on_wall AND h.entered_in_system) IS DISTINCT FROM (u.name IS NOT NULL)
           OR u.name <> c.department_zh""") == 0  # fmt: skip
    # The stored deadline is the plan's rule, row by row.
    # (The bulk load goes through the trigger that derives it: no row may differ.)
    assert (
        _one(
            demo_engine,
            """SELECT count(*) FROM hazards
        WHERE due_on IS DISTINCT FROM hazard_due(found_on, severity, deadline_on)""",
        )
        == 0
    )


def test_houses_are_plausible(demo_engine):
    r = _all(demo_engine, """SELECT
        count(*) FILTER (WHERE rooms >= 10) AS big,
        count(*) FILTER (WHERE (rooms >= 10 OR beds >= 10 OR tenants >= 10)
                           AND NOT cctv_installed) AS cctv_missing,
        count(*) FILTER (WHERE (rooms >= 10 OR beds >= 10 OR tenants >= 10)
                           AND cctv_retention_days < 30) AS cctv_short,
        avg((second_landlord_name IS NOT NULL)::int) AS second_share,
        count(*) FILTER (WHERE second_landlord_registered IS FALSE) AS second_unreg,
        count(*) FILTER (WHERE NOT is_registered) AS unregistered,
        count(*) FILTER (WHERE NOT pledge_signed) AS no_pledge,
        count(*) FILTER (WHERE registered_tenants < tenants) AS tenants_missing,
        count(*) FILTER (WHERE has_extinguishers IS FALSE) AS no_extinguisher,
        count(*) FILTER (WHERE is_self_built) AS self_built,
        count(*) FILTER (WHERE landlord_id_number !~ '^3204(12|83)[0-9]{11}[0-9X]$') AS bad_id,
        count(*) FILTER (WHERE geocode_method <> 'given' OR geocode_confidence <> 1) AS not_given,
        count(*) FILTER (WHERE house_code !~ '^LY-[0-9]{4}$') AS bad_code
        FROM houses""")[0]  # fmt: skip
    assert 150 <= r.big <= 750  # 5–25 %
    assert r.cctv_missing > 20 and r.cctv_short > 20
    assert 0.10 <= r.second_share <= 0.20 and r.second_unreg > 0
    assert r.unregistered > 10 and r.no_pledge > 10 and r.tenants_missing > 100
    assert r.no_extinguisher > 10 and r.self_built > 300
    assert r.bad_id == r.not_given == r.bad_code == 0
    # Every house stands at its standard address, in the unit that contains it.
    assert (
        _one(
            demo_engine,
            """SELECT count(*) FROM houses h JOIN addresses a
        ON a.full_address = h.address AND ST_Equals(a.geom, h.geom) AND a.unit_id = h.unit_id""",
        )
        == 3000
    )
    assert (
        _one(
            demo_engine,
            """SELECT count(*) FROM addresses
        WHERE full_address <> '洛阳镇' || normalized
           OR normalized !~ '^[^0-9]+(村|社区)[^0-9]+(路|街|大道)[1-9][0-9]*号$'""",
        )
        == 0
    )
    assert (
        _one(
            demo_engine,
            """SELECT count(*) FROM houses h JOIN units u ON u.id = h.unit_id
        WHERE NOT ST_Covers(u.geom, h.geom) OR h.address NOT LIKE '洛阳镇' || u.name || '%'""",
        )
        == 0
    )
    # last_inspected_on is the latest inspection of the house.
    assert (
        _one(
            demo_engine,
            """SELECT count(*) FROM houses h
        WHERE h.last_inspected_on IS DISTINCT FROM
              (SELECT max(inspected_on) FROM inspections i WHERE i.house_id = h.id)""",
        )
        == 0
    )
    assert _one(demo_engine, "SELECT count(DISTINCT kind) FROM inspections") >= 2


def test_units_tessellate_the_town(demo_engine):
    overlap = _one(demo_engine, """SELECT
        coalesce(sum(ST_Area(ST_Intersection(a.geom, b.geom)::geography)), 0)
        FROM units a JOIN units b ON a.id < b.id AND ST_Intersects(a.geom, b.geom)""")  # fmt: skip
    assert overlap < 1.0  # m², shared borders only
    r = _all(demo_engine, """WITH t AS (
            SELECT ST_Union(geom) AS g, sum(ST_Area(geom::geography)) AS parts
            FROM units WHERE geom IS NOT NULL)
        SELECT ST_GeometryType(g) AS kind, ST_NumInteriorRings(g) AS holes,
               ST_Area(g::geography) AS area, parts,
               ST_X(ST_Centroid(g)) AS x, ST_Y(ST_Centroid(g)) AS y
        FROM t""")[0]  # fmt: skip
    assert r.kind == "ST_Polygon" and r.holes == 0
    assert abs(r.area - r.parts) / r.area < 1e-6
    assert 60e6 < r.area < 110e6  # roughly 10 × 10 km
    assert abs(r.x - 120.07) < 0.02 and abs(r.y - 31.70) < 0.02
    assert _one(demo_engine, "SELECT count(*) FROM units WHERE NOT ST_IsValid(geom)") == 0


def test_campus_is_the_rule_buffer_around_each_school(demo_engine):
    buffer_m = load_rule_params().campus_buffer_m
    rows = _all(demo_engine, """SELECT ST_Area(k.geom::geography) AS area,
            ST_Distance(s.geom::geography, ST_Boundary(k.geom)::geography) AS edge,
            ST_Covers(k.geom, s.geom) AS covers
        FROM key_areas k JOIN schools s ON s.id = k.school_id
        WHERE k.kind = 'campus'""")  # fmt: skip
    assert len(rows) == 8
    for r in rows:
        assert r.covers and abs(r.area / (np.pi * buffer_m**2) - 1) < 0.02
        assert buffer_m * 0.97 < r.edge < buffer_m * 1.01


def test_roads_are_noded_and_connected(demo_engine):
    # Two segments meet only at endpoints they share (no crossing or T-junction left unsplit).
    assert (
        _one(
            demo_engine,
            """SELECT count(*) FROM roads a JOIN roads b
        ON a.id < b.id AND ST_Intersects(a.geom, b.geom)
        WHERE NOT ST_CoveredBy(ST_Intersection(a.geom, b.geom),
                               ST_Intersection(ST_Boundary(a.geom), ST_Boundary(b.geom)))""",
        )
        == 0
    )
    classes = dict(_all(demo_engine, "SELECT road_class, min(speed_kmh) FROM roads GROUP BY 1"))
    assert classes == {"trunk": 60, "primary": 50, "secondary": 40, "local": 30}
    assert _one(demo_engine, "SELECT count(*) FROM roads WHERE oneway = 1") > 0
    assert _one(demo_engine, "SELECT count(*) FROM roads WHERE name LIKE '洛阳大道'") > 0
    with demo_engine.connect() as conn:
        conn.execute(text("""CREATE TEMP TABLE t_nodes AS
            SELECT row_number() OVER () AS id, p FROM (
                SELECT DISTINCT ST_AsBinary(ST_StartPoint(geom)) AS p FROM roads
                UNION SELECT ST_AsBinary(ST_EndPoint(geom)) FROM roads) s"""))  # fmt: skip
        conn.execute(text("""CREATE TEMP TABLE t_edges AS
            SELECT r.id, s.id AS source, t.id AS target, 1.0 AS cost,
                   CASE WHEN r.oneway = 1 THEN -1.0 ELSE 1.0 END AS reverse_cost
            FROM roads r JOIN t_nodes s ON s.p = ST_AsBinary(ST_StartPoint(r.geom))
                         JOIN t_nodes t ON t.p = ST_AsBinary(ST_EndPoint(r.geom))"""))  # fmt: skip
        undirected = conn.execute(text("""SELECT count(DISTINCT component) FROM
            pgr_connectedComponents(
                'SELECT id, source, target, cost, 1.0 AS reverse_cost FROM t_edges')"""
        )).scalar_one()  # fmt: skip
        strong = conn.execute(text("""SELECT count(DISTINCT component) FROM
            pgr_strongComponents('SELECT id, source, target, cost, reverse_cost FROM t_edges')"""
        )).scalar_one()  # fmt: skip
    assert undirected == 1  # every road reachable from every other
    assert strong == 1  # and the one-way streets do not trap anyone


def _top_cell_share(engine, points_sql: str) -> float:
    """Share of the points in the busiest 5 % of the 250 m grid cells covering the town."""
    return _one(engine, f"""
        WITH town AS (SELECT ST_Transform(ST_Union(geom), 32651) AS g FROM units),
        cells AS (SELECT count(*) AS total FROM town, ST_SquareGrid(250, town.g) s
                  WHERE ST_Intersects(s.geom, town.g)),
        pts AS (SELECT ST_Transform(geom, 32651) AS g FROM ({points_sql}) p),
        c AS (SELECT count(*) AS n FROM pts GROUP BY floor(ST_X(g) / 250), floor(ST_Y(g) / 250))
        SELECT (SELECT sum(n) FROM (SELECT n FROM c ORDER BY n DESC
                                    LIMIT (SELECT ceil(0.05 * total) FROM cells)) top)::float
               / (SELECT sum(n) FROM c)
    """)  # fmt: skip


def test_hazards_and_incidents_cluster_far_beyond_uniform(demo_engine):
    def uniform(n: int) -> float:  # the same statistic for as many random points in the town
        return _top_cell_share(
            demo_engine,
            f"SELECT (ST_Dump(ST_GeneratePoints(ST_Union(geom), {n}, 42))).geom FROM units",
        )

    hazards = _top_cell_share(
        demo_engine, "SELECT h.geom FROM hazards z JOIN houses h ON h.id = z.house_id"
    )
    incidents = _top_cell_share(demo_engine, "SELECT geom FROM incidents")
    houses = _top_cell_share(demo_engine, "SELECT geom FROM houses")
    uniform_hazards, uniform_incidents = uniform(4000), uniform(1500)
    assert uniform_hazards < 0.2 and uniform_incidents < 0.25  # the statistic is sane
    assert hazards > 3 * uniform_hazards and incidents > 3 * uniform_incidents
    assert hazards > houses + 0.1  # hot spots beyond where the houses simply are
    # Hot-spot villages: hazards per house in the worst unit ≥ 3 × the median unit's.
    rates = [r[0] for r in _all(demo_engine, """SELECT count(z.id)::float / count(DISTINCT h.id)
        FROM houses h LEFT JOIN hazards z ON z.house_id = h.id GROUP BY h.unit_id""")]  # fmt: skip
    assert max(rates) >= 3 * float(np.median(rates))
    # Incidents: nearest-neighbour distance far below that of random points (Clark–Evans R).
    # (The neighbour is found with the GiST index in degrees, its distance measured in metres.)
    ratio = _one(demo_engine, """WITH
        nn AS (SELECT (SELECT ST_Distance(a.geom::geography, b.geom::geography)
                       FROM incidents b WHERE b.id <> a.id
                       ORDER BY a.geom <-> b.geom LIMIT 1) AS d FROM incidents a),
        town AS (SELECT ST_Area(ST_Union(geom)::geography) AS area FROM units)
        SELECT avg(d) / (0.5 * sqrt(area / (SELECT count(*) FROM incidents)))
        FROM nn, town GROUP BY area""")  # fmt: skip
    assert ratio < 0.7  # 1 = random (Poisson), < 1 = clustered


def test_incidents_take_their_containing_unit(demo_engine):
    assert _one(demo_engine, "SELECT count(*) FROM incidents WHERE unit_id IS NULL") < 15
    assert _one(demo_engine, """SELECT count(*) FROM incidents i JOIN units u ON u.id = i.unit_id
        WHERE NOT ST_Intersects(u.geom, i.geom)""") == 0  # fmt: skip
    categories = {r[0] for r in _all(demo_engine, "SELECT DISTINCT category FROM incidents")}
    assert categories == {"盗窃", "纠纷", "诈骗", "火警", "治安"}
