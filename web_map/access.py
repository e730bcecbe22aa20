"""Who is looking at the map: the hook between the page and access control.

The page asks two questions — may this viewer see police-only layers (incidents, hot spots),
and may they see personal data unmasked. Until the access-control module answers them from the
logged-in user, every viewer may see incidents (nothing to enforce yet) and personal data is
always masked (no one can prove they are allowed).
"""

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy import Connection, text

from geo_service.access.endpoints import allowed
from geo_service.access.personal import house_contacts, mask_name, mask_phone
from geo_service.access.roles import Role


@dataclass(frozen=True)
class Viewer:
    """What the current user may see on the map."""

    role: str = "anonymous"
    can_see_incidents: bool = True
    can_see_personal: bool = False
    # Incident hot spots are an aggregate (leaders may see them); None: as for incidents.
    can_see_hotspots: bool | None = None

    @property
    def may_see_hotspots(self) -> bool:
        return self.can_see_incidents if self.can_see_hotspots is None else self.can_see_hotspots


def may_call(viewer: Viewer, path: str) -> bool:
    """May the viewer GET the route declared as `path`? (Everyone, without access control.)
    The page leaves out what its viewer would be refused, rather than show an error."""
    return viewer.role == "anonymous" or allowed("GET", path, Role(viewer.role))


def viewer_of(request: Request) -> Viewer:
    """The viewer of `request` (set on `request.state.viewer` by access control, when present)."""
    viewer = getattr(request.state, "viewer", None)
    return viewer if isinstance(viewer, Viewer) else Viewer()


def landlord_contact(conn: Connection, house_id: int, viewer: Viewer) -> dict[str, Any]:
    """The landlord's name and phone and the second landlord's name of one house.

    Under access control (the request runs as an API database role) they come from the
    database's `house_contacts()`, which masks them unless the role may see them and audits
    every unmasked read. Without it (no role set: a bare database), they are masked here
    unless the viewer may see them.
    """
    keys = ("landlord_name", "landlord_phone", "second_landlord_name")
    if conn.execute(text("SELECT app_role()")).scalar() is not None:
        c = house_contacts(conn, [house_id]).get(house_id)
        return {k: getattr(c, k) if c else None for k in keys}
    row = (
        conn.execute(text(f"SELECT {', '.join(keys)} FROM houses WHERE id = :id"), {"id": house_id})
        .mappings()
        .one()
    )
    if viewer.can_see_personal:
        return dict(row)
    return {
        "landlord_name": mask_name(row["landlord_name"]),
        "landlord_phone": mask_phone(row["landlord_phone"]),
        "second_landlord_name": mask_name(row["second_landlord_name"]),
    }
