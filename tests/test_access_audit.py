"""Masked personal data and the audit log, checked on the database itself."""

import pytest
from access_data import HOUSES, load
from sqlalchemy import Connection, text
from test_access_db import _principal, _refused, as_role

from geo_service.access import session
from geo_service.access.personal import house_contacts, mask_id_number, mask_name, mask_phone


@pytest.fixture(scope="module")
def town(engine):
    return load(engine)


def _audit(c: Connection) -> list[dict]:
    """Audit rows written in this transaction, read back as the owner."""
    c.execute(text("RESET ROLE"))
    return [
        dict(r)
        for r in c.execute(
            text(
                "SELECT actor, action, table_name, record_key, before, after, detail "
                "FROM audit_log WHERE xmin::text = txid_current()::text ORDER BY id"
            )
        ).mappings()
    ]


def test_masks_look_like_the_plan_says():
    assert mask_id_number("320483199001011234") == "320483********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("张建国") == "张**"


def test_masks_in_sql_equal_masks_in_python(engine):
    samples = ["320483199001011234", "13812345678", "张建国", "0519-88881234", "12345", "王"]
    with engine.connect() as c:
        for s in samples:
            row = c.execute(
                text("SELECT mask_id_number(:s), mask_phone(:s), mask_name(:s)"), {"s": s}
            ).one()
            assert row == (mask_id_number(s), mask_phone(s), mask_name(s)), s


@pytest.mark.parametrize(
    "role", ["admin", "leader", "supervisor", "police", "department", "village"]
)
def test_contacts_follow_the_row_policies(engine, town, role):
    """house_contacts() shows exactly the houses the role's SELECT policy shows."""
    unit = {"village": town["A"], "department": town["DEPT"]}.get(role)
    with as_role(engine, role, unit) as c:
        visible = set(c.execute(text("SELECT id FROM houses")).scalars())
        contacts = house_contacts(c, [town[h] for h in HOUSES])
        assert set(contacts) == visible


def test_police_see_personal_data_unmasked(engine, town):
    with as_role(engine, "police") as c:
        got = house_contacts(c, [town["HA1"], town["HB1"]])
        assert got[town["HA1"]].landlord_id_number == "320483199001011234"
        assert got[town["HB1"]].landlord_phone == "13722223333"
        assert all(x.unmasked for x in got.values())


def test_village_sees_its_own_landlords_unmasked_only(engine, town):
    with as_role(engine, "village", town["A"]) as c:
        got = house_contacts(c, [town["HA1"], town["HB1"]])
        assert set(got) == {town["HA1"]}
        assert got[town["HA1"]].landlord_phone == "13812345678"
        assert got[town["HA1"]].second_landlord_name == "李二房"


@pytest.mark.parametrize("role", ["admin", "leader", "supervisor"])
def test_town_wide_roles_see_masked_personal_data(engine, town, role):
    with as_role(engine, role) as c:
        got = house_contacts(c, [town["HA1"]])[town["HA1"]]
        assert got.landlord_id_number == "320483********1234"
        assert got.landlord_phone == "138****5678"
        assert got.landlord_name == "张**"
        assert got.second_landlord_name == "李**"
        assert not got.unmasked
        assert _audit(c) == []  # a masked read is not a personal-data read


def test_unmasked_read_leaves_exactly_one_audit_row(engine, town):
    with as_role(engine, "police") as c:
        house_contacts(c, [town["HA1"], town["HB1"], town["HA2"]])
        rows = _audit(c)
    assert len(rows) == 1
    (row,) = rows
    assert (row["actor"], row["action"], row["table_name"]) == (
        "tester_police",
        "read_personal",
        "houses",
    )
    assert row["detail"]["ids"] == sorted([town["HA1"], town["HA2"], town["HB1"]])
    assert row["detail"]["house_codes"] == ["HA1", "HA2", "HB1"]
    assert row["detail"]["request"] == "TEST"


def test_a_write_leaves_exactly_one_audit_row_with_before_and_after(engine, town):
    with as_role(engine, "village", town["A"]) as c:
        c.execute(
            text(
                "UPDATE houses SET tenants = 20, landlord_phone = '13811112222' "
                "WHERE house_code = 'HA1'"
            )
        )
        rows = _audit(c)
    assert len(rows) == 1
    row = rows[0]
    assert (row["actor"], row["action"], row["table_name"], row["record_key"]) == (
        "tester_village",
        "update",
        "houses",
        "HA1",
    )
    assert (row["before"]["tenants"], row["after"]["tenants"]) == (16, 20)
    # who changed the phone is kept, a second copy of the phone is not
    assert (row["before"]["landlord_phone"], row["after"]["landlord_phone"]) == (
        "138****5678",
        "138****2222",
    )
    assert "13812345678" not in str(row) and "320483199001011234" not in str(row)
    assert row["detail"] == {"role": "village", "request": "TEST"}


def test_unchanged_rows_and_owner_writes_leave_no_trigger_row(engine, town):
    with as_role(engine, "police") as c:
        c.execute(text("UPDATE houses SET rooms = rooms WHERE house_code = 'HA1'"))
        assert _audit(c) == []
    with engine.connect() as c, c.begin() as tx:  # the CLI / import: audits its own runs
        c.execute(text("UPDATE houses SET rooms = 13 WHERE house_code = 'HA1'"))
        assert _audit(c) == []
        tx.rollback()


@pytest.mark.parametrize(
    "role", ["admin", "leader", "supervisor", "police", "department", "village"]
)
def test_no_api_role_can_change_the_audit_log(engine, town, role):
    unit = {"village": town["A"], "department": town["DEPT"]}.get(role)
    with engine.begin() as c:
        c.execute(
            text("INSERT INTO audit_log (actor, action, table_name) VALUES ('x', 'test', 't')")
        )
    with as_role(engine, role, unit) as c:
        assert _refused(c, "UPDATE audit_log SET actor = 'someone else'")
        assert _refused(c, "DELETE FROM audit_log")
        assert _refused(c, "TRUNCATE audit_log")
        assert _refused(
            c, "INSERT INTO audit_log (actor, action, table_name) VALUES ('x', 'forged', 't')"
        )


def test_incident_reads_are_recorded_once_per_request(engine, town):
    police = _principal("police")
    with as_role(engine, "police") as c:
        c.execute(text("SELECT count(*) FROM houses")).scalar()
        session.leave(c, police)  # a request that did not touch incidents
        assert _audit(c) == []
    with as_role(engine, "police") as c:
        codes = c.execute(text("SELECT incident_code FROM incidents ORDER BY 1")).scalars().all()
        session.note_read(c, codes)
        session.leave(c, police)
        rows = _audit(c)
    assert len(rows) == 1
    assert (rows[0]["action"], rows[0]["table_name"]) == ("read", "incidents")
    assert rows[0]["detail"]["ids"] == ["I1", "I2"]
    assert rows[0]["detail"]["scans"] >= 1
