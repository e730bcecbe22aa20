"""The rules live in PostgreSQL: connect as the API's database roles and see what each may do.

No application code between the test and the database: if these pass, a bug in an endpoint
cannot show a village another village's rows, or anyone but police the incidents.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from access_data import HOUSES, load
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from geo_service.access import session
from geo_service.access.accounts import Principal
from geo_service.access.roles import Role, db_role

ROLES = [r.value for r in Role]


@pytest.fixture(scope="module")
def town(engine):
    return load(engine)


def _principal(role: str, unit_id: int | None = None) -> Principal:
    return Principal(0, f"tester_{role}", Role(role), unit_id, None, None, 0)


@contextmanager
def as_role(engine, role: str, unit_id: int | None = None) -> Iterator[Connection]:
    """A transaction under `role`'s database role, rolled back afterwards."""
    with engine.connect() as conn, conn.begin() as tx:
        session.enter(conn, _principal(role, unit_id), "TEST")
        try:
            yield conn
        finally:
            tx.rollback()


def _unit_for(role: str, town: dict) -> int | None:
    return {"village": town["A"], "department": town["DEPT"]}.get(role)


def _codes(conn: Connection, sql: str) -> set[str]:
    return set(conn.execute(text(sql)).scalars())


def _refused(conn: Connection, sql: str, **params) -> bool:
    """True when PostgreSQL refuses the statement for lack of privilege or by policy."""
    with conn.begin_nested() as sp:
        try:
            conn.execute(text(sql), params)
        except DBAPIError as e:
            sp.rollback()
            return e.orig.pgcode == "42501"
    return False


# -- a village user, straight on the database ----------------------------------------------------


def test_village_sees_only_its_unit_and_no_incidents(engine, town):
    with as_role(engine, "village", town["A"]) as c:
        assert c.execute(text("SELECT current_user")).scalar() == "geo_api_village"
        assert _codes(c, "SELECT house_code FROM houses") == {"HA1", "HA2"}
        assert _codes(c, "SELECT hazard_code FROM hazards") == {"ZA1", "ZA2"}
        # its own unit, and the departments hazards go to; not the other villages
        assert _codes(c, "SELECT name FROM units") == {"甲村", "建设局"}
        assert c.execute(text("SELECT count(*) FROM inspections")).scalar() == 2
        assert c.execute(text("SELECT count(*) FROM review_visits")).scalar() == 1
        # another unit's row, asked for by its key, is simply not there
        assert c.execute(text("SELECT id FROM houses WHERE house_code = 'HB1'")).first() is None
        assert (
            c.execute(text("SELECT count(*) FROM hazards WHERE house_id = :h"), {"h": town["HB1"]})
        ).scalar() == 0
        # incidents, the audit log and the accounts are not even readable
        assert _refused(c, "SELECT count(*) FROM incidents")
        assert _refused(c, "SELECT count(*) FROM audit_log")
        assert _refused(c, "SELECT count(*) FROM users")
        # nor the raw personal columns, even of its own houses
        assert _refused(c, "SELECT landlord_phone FROM houses")
        assert _refused(c, "SELECT * FROM houses")


def test_village_settings_cannot_be_widened_by_the_query(engine, town):
    """Whatever the SQL says (no unit filter, a join, an aggregate), other units stay out."""
    with as_role(engine, "village", town["A"]) as c:
        n = c.execute(
            text(
                "SELECT count(*) FROM hazards z JOIN houses h ON h.id = z.house_id "
                "JOIN units u ON u.id = h.unit_id WHERE u.name = '乙社区'"
            )
        ).scalar()
        assert n == 0
        assert c.execute(text("SELECT count(DISTINCT unit_id) FROM houses")).scalar() == 1


def test_village_writes_only_inside_its_unit(engine, town):
    with as_role(engine, "village", town["A"]) as c:
        # its own house: allowed (personal columns may be written, not read back)
        c.execute(text("UPDATE houses SET landlord_phone = '13811112222' WHERE house_code = 'HA1'"))
        # another unit's house: invisible, so nothing is updated
        done = c.execute(text("UPDATE houses SET rooms = 99 WHERE house_code = 'HB1'")).rowcount
        assert done == 0
        # moving a house into another unit, or registering one there, is refused
        assert _refused(c, "UPDATE houses SET unit_id = :b WHERE house_code = 'HA2'", b=town["B"])
        assert _refused(
            c,
            "INSERT INTO houses (house_code, unit_id, address, landlord_name, rooms, beds, "
            "tenants, registered_tenants, is_registered, pledge_signed) "
            "VALUES ('X1', :b, 'x', 'x', 1, 1, 1, 1, true, true)",
            b=town["B"],
        )
        assert _refused(
            c,
            "INSERT INTO hazards (hazard_code, house_id, category, severity, found_on, due_on, "
            "posted_on_wall, entered_in_system) VALUES ('ZX', :h, 'ebike', 'major', "
            "DATE '2026-11-01', DATE '2026-11-08', false, false)",
            h=town["HB1"],
        )


def test_the_bare_group_role_sees_nothing(engine, town):
    """`geo_api` alone (no application role) reads reference layers, no per-unit rows."""
    with engine.connect() as c, c.begin() as tx:
        c.execute(text("SET LOCAL ROLE geo_api"))
        assert c.execute(text("SELECT count(*) FROM hazard_categories")).scalar() == 13
        assert c.execute(text("SELECT count(*) FROM units")).scalar() == 0
        assert c.execute(text("SELECT count(*) FROM houses")).scalar() == 0
        assert c.execute(text("SELECT count(*) FROM hazards")).scalar() == 0
        assert _refused(c, "SELECT count(*) FROM incidents")
        tx.rollback()


# -- the other roles -----------------------------------------------------------------------------


def test_department_sees_and_rectifies_only_what_was_transferred_to_it(engine, town):
    with as_role(engine, "department", town["DEPT"]) as c:
        assert _codes(c, "SELECT hazard_code FROM hazards") == {"ZA1", "ZB1"}
        assert _codes(c, "SELECT house_code FROM houses") == {"HA1", "HB1"}
        assert c.execute(text("SELECT count(*) FROM inspections")).scalar() == 2
        assert _refused(c, "SELECT count(*) FROM incidents")
        done = c.execute(
            text("UPDATE hazards SET rectified_on = DATE '2026-11-02' WHERE hazard_code = 'ZA1'")
        ).rowcount
        assert done == 1
        # not its hazard: invisible; not a rectification column: refused
        done = c.execute(
            text("UPDATE hazards SET rectified_on = DATE '2026-11-02' WHERE hazard_code = 'ZA2'")
        ).rowcount
        assert done == 0
        assert _refused(c, "UPDATE hazards SET severity = 'major' WHERE hazard_code = 'ZA1'")
        # handing the hazard to another department is refused by the policy's check
        assert _refused(
            c, "UPDATE hazards SET department_id = :a WHERE hazard_code = 'ZA1'", a=town["A"]
        )


@pytest.mark.parametrize("role", ["admin", "leader", "supervisor"])
def test_town_wide_roles_read_all_units_but_no_incidents(engine, town, role):
    with as_role(engine, role) as c:
        assert _codes(c, "SELECT house_code FROM houses") == set(HOUSES)
        assert len(_codes(c, "SELECT hazard_code FROM hazards")) == 4
        assert _refused(c, "SELECT count(*) FROM incidents")
        assert _refused(c, "SELECT landlord_id_number FROM houses")


def test_police_read_everything_including_incidents(engine, town):
    with as_role(engine, "police") as c:
        assert _codes(c, "SELECT house_code FROM houses") == set(HOUSES)
        assert _codes(c, "SELECT incident_code FROM incidents") == {"I1", "I2"}
        # personal data only through house_contacts(), which leaves an audit row
        assert _refused(c, "SELECT landlord_id_number FROM houses")


def test_spatial_index_still_used_under_row_level_security(engine, town):
    """Town-wide roles have a `true` policy the planner drops, so the GiST index serves bbox
    queries (tiles at city scale depend on it); a village's policy is on the unit index."""
    sql = (
        "EXPLAIN SELECT id FROM houses WHERE geom && "
        "ST_MakeEnvelope(120.0, 31.69, 120.015, 31.71, 4326)"
    )
    with as_role(engine, "police") as c:
        c.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(c.execute(text(sql)).scalars())
        assert "ix_houses_geom" in plan, plan


# -- what each role may do, table by table -------------------------------------------------------

REFERENCE = {"S": ROLES}
# table → privilege letter (S select, I insert, U update, D delete) → roles holding it.
# A table missing here fails the test: every new table must be classified.
EXPECTED = {
    "units": REFERENCE,
    "key_areas": REFERENCE,
    "schools": REFERENCE,
    # planners (re)build the routable topology: derived columns of roads, a key of meta
    "roads": {"S": ROLES, "U": ["police", "supervisor"]},
    "addresses": REFERENCE,
    "hazard_categories": REFERENCE,
    "meta": {"S": ROLES, "I": ["police", "supervisor"], "U": ["police", "supervisor"]},
    "houses": {"S": ROLES, "I": ["police", "village"], "U": ["police", "supervisor", "village"]},
    # House history (migration 0014): read as the houses are; written only by its trigger.
    "house_versions": {"S": ROLES},
    # The event ledger (migration 0015, docs/ledger.md): read as houses and hazards are (a
    # village its own unit; a department no row: its analytics take the direct path), written
    # only by its triggers.
    **{
        t: {"S": ROLES}
        for t in (
            "ledger_houses",
            "ledger_hazards",
            "ledger_hazard_units",
            "ledger_house_segments",
            "ledger_hazard_spans",
        )
    },
    # The maintained risk ranking (migration 0017): each role reads its audience's rows
    # (policies on `audience`); only the server's refresh writes it.
    "risk_ranking": {"S": ROLES},
    "risk_ranking_runs": {"S": ROLES},
    # The learned models (migration 0018): read by every role to rank; written by the owner's
    # `risk train` only.
    "risk_models": {"S": ROLES},
    "hazards": {
        "S": ROLES,
        "I": ["police", "supervisor", "village"],
        "U": ["department", "police", "supervisor", "village"],
    },
    "incidents": {"S": ["police"], "I": ["police"], "U": ["police"]},
    "inspections": {
        "S": ROLES,
        "I": ["police", "supervisor", "village"],
        "U": ["police", "supervisor", "village"],
    },
    "review_visits": {
        "S": ["admin", "leader", "police", "supervisor", "village"],
        "I": ["police", "supervisor"],
        "U": ["police", "supervisor"],
    },
    **{
        t: {
            "S": ["admin", "leader", "police", "supervisor"],
            "I": ["police", "supervisor"],
            "U": ["police", "supervisor"],
            "D": ["police", "supervisor"],
        }
        for t in ("route_plans", "route_plan_routes", "route_plan_stops")
    },
    # Field work (migration 0010): team members as plans; a phone's visit and its photos are
    # written by the planning roles (their own user only, by policy) and read as review_visits.
    "route_plan_members": {
        "S": ["admin", "leader", "police", "supervisor"],
        "I": ["police", "supervisor"],
        "D": ["police", "supervisor"],
    },
    "field_visits": {
        "S": ["admin", "leader", "police", "supervisor", "village"],
        "I": ["police", "supervisor"],
        "U": ["police", "supervisor"],
    },
    "visit_photos": {
        "S": ["admin", "leader", "police", "supervisor", "village"],
        "I": ["police", "supervisor"],
    },
    "audit_log": {"S": ["admin", "police"]},
    "users": {},
    "api_keys": {},  # like users: the owner role only (geo_service/access/keys.py)
    # The response cache (docs/cache.md): read and written only through SECURITY DEFINER
    # functions; the data version is a single number every role may read.
    "data_version": {"S": ROLES},
    # The rules in force (migration 0009): every role reads them, only `rules apply` (the
    # database owner) writes them.
    "rule_params": {"S": ROLES},
    "data_change_marks": {},
    "data_changes": {},  # the footprints of changes (migration 0021), read by cache_get only
    "response_cache": {},
    # The record of uploads (migration 0010): read by the roles that upload, each its own
    # scope's; written only by the server's upload worker (the owner).
    "import_jobs": {"S": ["admin", "department", "police", "village"]},
    "import_files": {"S": ["admin", "department", "police", "village"]},
}
PRIVILEGES = {"S": "SELECT", "I": "INSERT", "U": "UPDATE", "D": "DELETE"}
# Tables of extensions and of the migration tool, not ours.
FOREIGN_TABLES = {"spatial_ref_sys", "alembic_version"}


def _tables(c: Connection) -> list[str]:
    return list(
        c.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        ).scalars()
    )


def test_every_table_is_classified(engine):
    with engine.connect() as c:
        unclassified = set(_tables(c)) - set(EXPECTED) - FOREIGN_TABLES
    assert not unclassified, f"tables without an access rule (add to 0003_policies): {unclassified}"


@pytest.mark.parametrize("table", sorted(EXPECTED))
def test_privileges_per_role(engine, table):
    with engine.connect() as c:
        got = {}
        for letter, privilege in PRIVILEGES.items():
            fn = "has_table_privilege" if letter == "D" else "has_any_column_privilege"
            got[letter] = sorted(
                r
                for r in ROLES
                if c.execute(
                    text(f"SELECT {fn}(:r, :t, :p)"),
                    {"r": db_role(Role(r)), "t": table, "p": privilege},
                ).scalar()
            )
    want = {k: sorted(EXPECTED[table].get(k, [])) for k in PRIVILEGES}
    assert got == want


def test_row_level_security_on_every_table_with_rows_per_unit(engine):
    # Shared layers, the same for every role: roles may read all of them or none.
    reference = {"key_areas", "schools", "roads", "addresses", "hazard_categories", "rule_params"}
    # No API role reaches the cache tables at all (only through functions keyed by role).
    reference |= {"data_version", "data_change_marks", "data_changes", "response_cache"}
    # When each audience's risk ranking was computed, and the fitted models: no house in them,
    # the same for everyone.
    reference |= {"risk_ranking_runs", "risk_models"}
    with engine.connect() as c:
        rls = dict(
            c.execute(
                text(
                    "SELECT c.relname, c.relrowsecurity FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'public' AND c.relkind = 'r'"
                )
            ).all()
        )
    missing = [t for t in EXPECTED if t not in reference and not rls[t]]
    assert not missing


def test_no_api_role_reads_personal_columns(engine):
    with engine.connect() as c:
        for role in ROLES:
            for col in (
                "landlord_name",
                "landlord_id_number",
                "landlord_phone",
                "second_landlord_name",
            ):
                allowed = c.execute(
                    text("SELECT has_column_privilege(:r, 'houses', :c, 'SELECT')"),
                    {"r": db_role(Role(role)), "c": col},
                ).scalar()
                assert not allowed, (role, col)


def test_no_view_bypasses_row_level_security(engine):
    """A view runs as its owner, who is not subject to the policies: none may be granted to
    an API role unless it checks as the caller (security_invoker)."""
    with engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT c.relname, c.relkind, coalesce(c.reloptions, '{}') AS opts "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind IN ('v', 'm') "
                "AND c.relname NOT IN ('geometry_columns', 'geography_columns')"
            )
        ).all()
        bad = []
        for name, kind, opts in rows:
            granted = [
                r
                for r in ROLES
                if c.execute(
                    text("SELECT has_table_privilege(:r, :t, 'SELECT')"),
                    {"r": db_role(Role(r)), "t": name},
                ).scalar()
            ]
            if granted and (kind == "m" or "security_invoker=true" not in opts):
                bad.append((name, granted))
    assert not bad


def test_api_roles_can_be_ensured_again(engine, db_url):
    """A restore into another cluster first creates the roles its policies name; doing it
    where they exist changes nothing."""
    from geo_service.access.setup import ensure_api_roles

    ensure_api_roles(db_url)
    ensure_api_roles(db_url)
    with engine.connect() as c:
        members = c.execute(
            text(
                "SELECT count(*) FROM pg_roles r WHERE r.rolname LIKE 'geo\\_api\\_%' "
                "AND pg_has_role(r.oid, 'geo_api', 'USAGE') "
                "AND pg_has_role(current_user, r.oid, 'MEMBER')"
            )
        ).scalar()
    assert members == 6
