"""Whether, and with which conditions, a scope's per-unit counts come from the event ledger
(docs/ledger.md). In the scope layer because two sibling services ask it: the analytics (附件1
scores, 附件2 table) and the spatial density per unit (choropleth) — one decision for both.
"""

from collections.abc import Collection

from sqlalchemy import Connection, text

from geo_service.scope.model import Scope
from geo_service.scope.sql import ScopeSql, where


def answers(conn: Connection, scope: Scope, layer_filters: Collection[str] = ()) -> bool:
    """Whether the ledger can answer `scope`'s per-unit counts exactly: the one place this is
    decided. A filter the ledger has no dimension for (a bbox, discovery dates, a layer's own
    property filters given in `layer_filters`) takes the direct path, as does a department
    user, whose rows (its own hazards and their houses) are not whole units. The request's
    other parameters (`records`, `limit`, …) are no filters."""
    dated = (scope.found_from, scope.found_to, scope.date_from, scope.date_to)
    if scope.bbox is not None or layer_filters or any(d is not None for d in dated):
        return False
    return conn.execute(text("SELECT app_role()")).scalar() != "department"


def marks(b: ScopeSql, wide: bool = False) -> dict[str, str]:
    """The scope's conditions on ledger rows (alias l): `{{ledger_house_scope}}` the unit and
    key-area filters, `{{ledger_hazard_scope}}` the hazard filters, `{{ledger_hazards}}` the
    narrow table unless `wide` (the caller reads severity) or a filter needs the wide one's
    severity, department or key areas."""
    s = b.scope
    house = b.units("l.unit_id")
    if s.key_area_kinds:
        kinds = b.bind("ka_kinds", list(s.key_area_kinds))
        house.append(f"(l.areas & ledger_area_mask(CAST({kinds} AS text[]))) <> 0")
    wide = wide or bool(s.severities or s.departments or s.key_area_kinds)
    return {
        "ledger_house_scope": where(house),
        "ledger_hazard_scope": where(b.hazards("l")),
        "ledger_hazards": "ledger_hazards" if wide else "ledger_hazard_units",
    }
