"""Who is looking at the map, and what the page may show them.

Access control (`geo_service.access`) puts the logged-in user on `request.state.user`; the
page derives the viewer's capabilities from that user's role. It fails closed: a request with
no user (or an unknown role) is a viewer who may see nothing police-only, no personal data,
and no route of the API.
"""

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy import Connection

from geo_service.access.accounts import Principal
from geo_service.access.endpoints import allowed
from geo_service.access.personal import house_contacts, mask_name, mask_phone
from geo_service.access.roles import HOTSPOT_ROLES, INCIDENT_ROLES, UNMASKED_ROLES, Role


@dataclass(frozen=True)
class Viewer:
    """What the current user may see on the map; every capability defaults to no."""

    role: str = "anonymous"
    can_see_incidents: bool = False
    can_see_personal: bool = False
    # Incident hot spots are an aggregate (hexagons >= 100 m): leaders may see them too.
    can_see_hotspots: bool = False


def viewer_for(user: Principal) -> Viewer:
    """The map's viewer for a logged-in user, from the role tables of access control."""
    return Viewer(
        role=user.role.value,
        can_see_incidents=user.role in INCIDENT_ROLES,
        can_see_personal=user.role in UNMASKED_ROLES,
        can_see_hotspots=user.role in HOTSPOT_ROLES,
    )


def viewer_of(request: Request) -> Viewer:
    """The viewer of `request`: its logged-in user's, else one who may see nothing."""
    user = getattr(request.state, "user", None)
    return viewer_for(user) if isinstance(user, Principal) else Viewer()


def may_call(viewer: Viewer, path: str) -> bool:
    """May the viewer GET the route declared as `path`? The page leaves out what its viewer
    would be refused, rather than show an error; a viewer without a role may call nothing."""
    if viewer.role not in {r.value for r in Role}:
        return False
    return allowed("GET", path, Role(viewer.role))


def landlord_contact(conn: Connection, house_id: int, viewer: Viewer) -> dict[str, Any]:
    """The landlord's name and phone and the second landlord's name of one house.

    Read only through the database's `house_contacts()`, which masks them unless the
    request's role may see them and audits every unmasked read. A viewer who may not see
    personal data gets them masked here too, whatever the connection's role.
    """
    c = house_contacts(conn, [house_id]).get(house_id)
    name, phone, second = (
        (c.landlord_name, c.landlord_phone, c.second_landlord_name) if c else (None, None, None)
    )
    if not viewer.can_see_personal:
        name, phone, second = mask_name(name), mask_phone(phone), mask_name(second)
    return {"landlord_name": name, "landlord_phone": phone, "second_landlord_name": second}
