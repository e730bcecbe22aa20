"""逾期未整改: the hazards past their deadline on D, and those about to be (SPEC §3.3)."""

from collections import Counter
from typing import Any

from sqlalchemy import Connection

from geo_service.analytics.common import echo, run
from geo_service.analytics.filters import Filters
from geo_service.analytics.schemas import OverdueItem, OverdueReport
from geo_service.domain.rules import RuleParams
from geo_service.errors import ValidationError


def overdue(
    conn: Connection, filters: Filters, rules: RuleParams, due_within: int | None = None
) -> OverdueReport:
    """Hazards not rectified on D and past their deadline (D > due), most overdue first.

    With `due_within` N, also the unrectified hazards due in the next N days (due − D in
    0..N), marked `due_soon`: what becomes overdue if nothing happens.
    """
    if due_within is not None and due_within < 0:
        raise ValidationError("due_within 不能为负数 must be ≥ 0")
    items = [
        OverdueItem(status="overdue" if r["overdue"] else "due_soon", unit=r["unit_name"], **r)
        for r in run(conn, "overdue.sql", filters, rules, due_within=due_within)
    ]
    over = [i for i in items if i.status == "overdue"]
    return OverdueReport(
        filters=echo(filters),
        due_within=due_within,
        overdue_count=len(over),
        due_soon_count=len(items) - len(over),
        by_unit=dict(sorted(Counter(i.unit for i in over).items())),
        items=items,
    )


def overdue_geojson(report: OverdueReport) -> dict[str, Any]:
    """The overdue list as a GeoJSON FeatureCollection of house points (for the map layer)."""
    features = [
        {
            "type": "Feature",
            "geometry": (
                {"type": "Point", "coordinates": [i.lon, i.lat]} if i.lon is not None else None
            ),
            "properties": i.model_dump(mode="json", exclude={"lon", "lat"}),
        }
        for i in report.items
    ]
    return {"type": "FeatureCollection", "features": features}
