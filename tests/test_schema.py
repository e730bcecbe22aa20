"""The schema refuses impossible values and indexes every geometry."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from geo_service.models import Base

UNIT = "INSERT INTO units (id, name, kind) VALUES (1, '戴溪社区', 'community')"
HOUSE = """INSERT INTO houses (id, house_code, unit_id, address, landlord_name, rooms, beds,
           tenants, registered_tenants, is_registered, pledge_signed, geom)
           VALUES (1, 'H1', 1, '戴溪社区人民路1号', '张三', {rooms}, 4, {tenants}, {registered},
                   true, true, ST_SetSRID(ST_MakePoint(120.07, 31.70), 4326))"""
HAZARD = """INSERT INTO hazards (hazard_code, house_id, category, severity, found_on, due_on,
            posted_on_wall, entered_in_system, rectified_on)
            VALUES ('Z1', 1, 'open_flame', 'major', '2026-05-10', '2026-05-17', true, true,
                    {rectified})"""


@pytest.fixture()
def conn(engine: Engine):
    with engine.connect() as c:
        tx = c.begin()
        c.execute(text(UNIT))
        yield c
        tx.rollback()


def _refused(conn, sql: str) -> bool:
    nested = conn.begin_nested()
    try:
        conn.execute(text(sql))
    except IntegrityError:
        nested.rollback()
        return True
    nested.rollback()
    return False


@pytest.mark.parametrize(
    ("rooms", "tenants", "registered", "refused"),
    [
        (3, 5, 5, False),  # every tenant registered: fine
        (3, 5, 6, True),  # registered tenants > tenants
        (-1, 5, 5, True),  # negative count
        (3, -2, 0, True),
    ],
)
def test_house_counts(conn, rooms: int, tenants: int, registered: int, refused: bool) -> None:
    sql = HOUSE.format(rooms=rooms, tenants=tenants, registered=registered)
    assert _refused(conn, sql) is refused


@pytest.mark.parametrize(
    ("rectified", "refused"),
    [("NULL", False), ("'2026-05-10'", False), ("'2026-05-09'", True)],  # before found: refused
)
def test_hazard_dates(conn, rectified: str, refused: bool) -> None:
    conn.execute(text(HOUSE.format(rooms=3, tenants=5, registered=5)))
    assert _refused(conn, HAZARD.format(rectified=rectified)) is refused


def test_unknown_category_refused(conn) -> None:
    conn.execute(text(HOUSE.format(rooms=3, tenants=5, registered=5)))
    assert _refused(conn, HAZARD.format(rectified="NULL").replace("open_flame", "ghosts"))


def test_every_geometry_has_a_gist_index(engine: Engine) -> None:
    with engine.connect() as c:
        unindexed = (
            c.execute(
                text("""
            SELECT g.f_table_name || '.' || g.f_geometry_column
            FROM geometry_columns g
            WHERE g.f_table_schema = 'public' AND NOT EXISTS (
                SELECT 1 FROM pg_indexes i
                WHERE i.tablename = g.f_table_name AND i.indexdef ILIKE '%USING gist%'
                  AND i.indexdef LIKE '%' || g.f_geometry_column || '%')
            """)
            )
            .scalars()
            .all()
        )
        tables = c.execute(text("SELECT count(*) FROM geometry_columns")).scalar_one()
    assert tables >= 7  # units, key_areas, schools, houses, incidents, roads, addresses
    assert unindexed == []


def test_models_match_migrations(engine: Engine) -> None:
    with engine.connect() as c:
        ctx = MigrationContext.configure(c)
        diff = [
            d
            for d in compare_metadata(ctx, Base.metadata)
            # tables owned by extensions (spatial_ref_sys, topology…) are not ours, nor are
            # the event ledger's (SQL-only, docs/ledger.md) with their indexes
            if d[0] != "remove_table"
            and not (d[0] == "remove_index" and d[1].table.name not in Base.metadata.tables)
        ]
    assert diff == []
