"""Where the hot-spot counts come from, by what the caller may read (docs/access.md).

Police (and the CLI) bin the incident points themselves (hex_bin.sql). Leaders and the
supervision group may not read incident records: they get the same per-hexagon counts from
the database function incident_hex_counts(), which reads the incidents as their owner and
returns only counts, on cells of at least 100 m.
"""

from typing import Any

from sqlalchemy import Connection

from geo_service.access.readable import can_read
from geo_service.errors import ValidationError
from geo_service.scope.parse import as_town_date
from geo_service.spatial.density import points_sql
from geo_service.spatial.selection import Selection
from geo_service.sqlfiles import render

MIN_AGGREGATE_SIZE = 100.0  # grid units (Web Mercator metres), as the database function checks
_INCIDENT_AREA = (
    "(SELECT ST_Expand(ST_Transform(ST_SetSRID(ST_Extent(geom)::geometry, 4326), :srid), :size)"
    " FROM incidents)"
)


def count_fragments(
    conn: Connection, inc: Selection, grid_size: float
) -> tuple[str, str, dict[str, Any]]:
    """(counts SQL, incident-area SQL, extra parameters) for hotspot_cells.sql."""
    if can_read(conn, "incidents"):
        return (
            render("geo_service.spatial", "sql/hotspot_counts.sql", points=points_sql(inc)),
            _INCIDENT_AREA,
            {},
        )
    scope = inc.scope
    if "datetime" in scope.given:
        raise ValidationError("热点只支持 date_from/date_to (datetime is for the police only)")
    if scope.key_area_kinds:
        raise ValidationError(
            "key_area_kind: 仅限派出所 (narrowing hot spots to key areas is for the police)"
        )
    if grid_size < MIN_AGGREGATE_SIZE:
        raise ValidationError("热点网格至少 100 米 (hexagons of at least 100 m)")
    params = {
        "hx_as_of": inc.as_of,
        "hx_from": as_town_date(scope.date_from, scope.tz) if scope.date_from else None,
        "hx_to": as_town_date(scope.date_to, scope.tz) if scope.date_to else None,
        "hx_categories": list(scope.incident_types) or None,
    }
    counts = (
        "SELECT c.i, c.j, c.n FROM incident_hex_counts(CAST(:size AS float8), "
        "CAST(:srid AS integer), CAST(:hx_as_of AS date), CAST(:hx_from AS date), "
        "CAST(:hx_to AS date), CAST(:hx_categories AS text[])) c"
    )
    return counts, "CAST(NULL AS geometry)", params
