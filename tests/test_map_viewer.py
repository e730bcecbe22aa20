"""The map's viewer fails closed, and landlords' contacts reach the map only through the
database's house_contacts() (masked and audited there)."""

from fastapi import Request
from routes_grid import add_house, add_unit
from sqlalchemy import text

from geo_service.access.accounts import Principal
from geo_service.access.roles import Role
from web_map.viewer import Viewer, landlord_contact, may_call, viewer_of


def _request(user=None) -> Request:
    request = Request({"type": "http", "state": {}})
    if user is not None:
        request.state.user = user
    return request


def _user(role: Role) -> Principal:
    return Principal(1, "u", role, None, None, None, 0)


def test_a_viewer_may_see_nothing_unless_told():
    nobody = Viewer()
    assert not (nobody.can_see_incidents or nobody.can_see_personal or nobody.can_see_hotspots)
    assert viewer_of(_request()) == nobody
    # No role: not even a route every logged-in role may call.
    assert not may_call(nobody, "/analytics/overdue")
    assert not may_call(nobody, "/routes/plans/{ref}")


def test_a_logged_in_users_viewer_follows_the_role_tables():
    police = viewer_of(_request(_user(Role.POLICE)))
    assert (police.can_see_incidents, police.can_see_personal, police.can_see_hotspots) == (
        True,
        True,
        True,
    )
    leader = viewer_of(_request(_user(Role.LEADER)))
    assert (leader.can_see_incidents, leader.can_see_personal, leader.can_see_hotspots) == (
        False,
        False,
        True,
    )
    assert may_call(leader, "/routes/plans/{ref}") and may_call(leader, "/analytics/overdue")
    department = viewer_of(_request(_user(Role.DEPARTMENT)))
    assert not may_call(department, "/routes/plans/{ref}")


def test_landlord_contacts_come_from_house_contacts_and_are_masked_unless_allowed(engine):
    with engine.begin() as conn:
        house = add_house(conn, add_unit(conn), "H-VIEW", (120.07, 31.70))
    with engine.begin() as conn:
        # The owner's own session: house_contacts() returns the contacts unmasked (and audits
        # the read), so the masking below is the viewer's doing.
        before = conn.execute(
            text("SELECT count(*) FROM audit_log WHERE action = 'read_personal'")
        ).scalar_one()
        hidden = landlord_contact(conn, house, Viewer(role="leader"))
        shown = landlord_contact(conn, house, Viewer(role="police", can_see_personal=True))
        after = conn.execute(
            text("SELECT count(*) FROM audit_log WHERE action = 'read_personal'")
        ).scalar_one()
    assert hidden == {"landlord_name": "张*", "landlord_phone": "138****1234",
                      "second_landlord_name": None}  # fmt: skip
    assert shown == {"landlord_name": "张三", "landlord_phone": "13800001234",
                     "second_landlord_name": None}  # fmt: skip
    assert after - before == 2  # one audited read per call, through house_contacts()
