"""Personal data (landlords' names, ID numbers, phones): masked unless the role may see them.

No API role can select these columns; `house_contacts` reads them through the database
function of the same name, which masks by role and writes one audit row per unmasked read.
"""

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text


@dataclass(frozen=True)
class Contact:
    house_id: int
    landlord_name: str | None
    landlord_id_number: str | None
    landlord_phone: str | None
    second_landlord_name: str | None
    unmasked: bool


def house_contacts(conn: Connection, house_ids: list[int]) -> dict[int, Contact]:
    """Landlord contacts of the houses the caller may see, masked unless allowed."""
    if not house_ids:
        return {}
    rows = conn.execute(
        text("SELECT * FROM house_contacts(CAST(:ids AS integer[]))"),
        {"ids": [int(i) for i in house_ids]},
    ).all()
    return {r.house_id: Contact(*r) for r in rows}


def mask_id_number(v: str | None) -> str | None:
    """320483199001011234 → 320483********1234 (as the database's mask_id_number)."""
    if v is None:
        return None
    return v[:6] + "*" * (len(v) - 10) + v[-4:] if len(v) > 10 else "*" * len(v)


def mask_phone(v: str | None) -> str | None:
    """13812345678 → 138****5678 (as the database's mask_phone)."""
    if v is None:
        return None
    return v[:3] + "*" * (len(v) - 7) + v[-4:] if len(v) > 7 else "*" * len(v)


def mask_name(v: str | None) -> str | None:
    """张建国 → 张** (as the database's mask_name)."""
    if v is None:
        return None
    return "*" if len(v) <= 1 else v[0] + "*" * (len(v) - 1)


# Landlord fields as they appear in audit rows (before/after of an import or edit).
_RECORD_MASKS = {
    "landlord_name": mask_name,
    "second_landlord_name": mask_name,
    "landlord_id_number": mask_id_number,
    "landlord_phone": mask_phone,
}


def mask_record(value: Any) -> Any:
    """A stored row (an audit row's before/after) with the landlords' personal data masked."""
    if not isinstance(value, dict):
        return value
    return {k: _RECORD_MASKS[k](v) if k in _RECORD_MASKS and v else v for k, v in value.items()}


# Mainland resident ID numbers and mobile numbers, wherever they appear in free text.
_ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE_RE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)")


def redact(s: str) -> str:
    """Mask ID and mobile numbers in free text (log lines, error messages)."""
    s = _ID_RE.sub(lambda m: mask_id_number(m.group()) or "", s)
    return _MOBILE_RE.sub(lambda m: mask_phone(m.group()) or "", s)
