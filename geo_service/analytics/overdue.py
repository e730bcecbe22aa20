"""逾期未整改: the hazards past their deadline on D, and those about to be (SPEC §3.3)."""

from sqlalchemy import Connection

from geo_service.analytics.common import check_page, echo, page_fields, run
from geo_service.analytics.schemas import OverdueItem, OverdueReport
from geo_service.domain.rules import RuleParams
from geo_service.errors import ValidationError
from geo_service.geojson import feature_collection
from geo_service.scope import Scope


def overdue(
    conn: Connection,
    scope: Scope,
    rules: RuleParams,
    due_within: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> OverdueReport:
    """Hazards not rectified on D and past their deadline (D > due), most overdue first.

    With `due_within` N, also the unrectified hazards due in the next N days (due − D in
    0..N), marked `due_soon`: what becomes overdue if nothing happens. `limit`/`offset` return
    one page of the items (None: every item); the counts are always over every match.
    """
    if due_within is not None and due_within < 0:
        raise ValidationError("due_within 不能为负数 must be ≥ 0")
    check_page(limit, offset)
    page = {"due_within": due_within, "limit": limit, "offset": offset}
    [row] = run(conn, "overdue.sql", scope, rules, **page)  # one row: counts and the page
    items = [
        OverdueItem(status="overdue" if r.pop("overdue") else "due_soon", **r) for r in row["items"]
    ]
    counts = row["counts"]  # [[unit, overdue, due soon], …] over every matching hazard
    total = sum(n_over + n_soon for _, n_over, n_soon in counts)
    return OverdueReport(
        filters=echo(conn, scope),
        due_within=due_within,
        overdue_count=sum(n_over for _, n_over, _ in counts),
        due_soon_count=sum(n_soon for _, _, n_soon in counts),
        by_unit=dict(sorted((unit, n) for unit, n, _ in counts if n)),
        **page_fields(total, limit, offset, len(items)),
        items=items,
    )


def overdue_geojson(report: OverdueReport) -> str:
    """The overdue list (the report's page of it) as a GeoJSON FeatureCollection of house
    points, with OGC-style `numberMatched` / `numberReturned` and `next_offset`."""
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
    return feature_collection(
        features,
        numberMatched=report.total,
        numberReturned=len(features),
        next_offset=report.next_offset,
    )
