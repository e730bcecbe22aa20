"""Who is looking at the map: the hook between the page and access control.

The page asks two questions — may this viewer see police-only layers (incidents, hot spots),
and may they see personal data unmasked. Until the access-control module answers them from the
logged-in user, every viewer may see incidents (nothing to enforce yet) and personal data is
always masked (no one can prove they are allowed).
"""

from dataclasses import dataclass

from fastapi import Request


@dataclass(frozen=True)
class Viewer:
    """What the current user may see on the map."""

    role: str = "anonymous"
    can_see_incidents: bool = True
    can_see_personal: bool = False


def viewer_of(request: Request) -> Viewer:
    """The viewer of `request` (set on `request.state.viewer` by access control, when present)."""
    viewer = getattr(request.state, "viewer", None)
    return viewer if isinstance(viewer, Viewer) else Viewer()


def mask_name(name: str | None) -> str | None:
    """张建国 → 张**: the family name stays so a resident can still be addressed."""
    if not name:
        return name
    return name[0] + "*" * (len(name) - 1)


def mask_phone(phone: str | None) -> str | None:
    """13812345678 → 138****5678."""
    if not phone:
        return phone
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
