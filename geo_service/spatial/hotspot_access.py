"""Where the hot-spot counts come from, by what the caller may read (docs/access.md).

Police (and the CLI) bin the incident points themselves (hex_bin.sql), on hexagons of the size
they choose, over the days they choose. Leaders and the supervision group may not read incident
records: they get counts from the database function incident_hex_counts(), which decides the
grid (FIXED_SIZE_M on the ground, one fixed origin), the window (whole calendar months that
have ended) and leaves out counts below SUPPRESSED_BELOW — so no choice of size, date, category
or as-of day, and no difference of two answers, places one incident closer than that.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from geo_service.access.readable import FIXED_SIZE_M, SUPPRESSED_BELOW, can_read
from geo_service.errors import ValidationError
from geo_service.scope.parse import as_town_date
from geo_service.spatial.density import cell_size, mercator_size, points_sql, town_latitude
from geo_service.spatial.selection import Selection
from geo_service.sqlfiles import render

DEFAULT_SIZE_M = 250.0  # the police's default hexagon circumradius, ground metres
_INCIDENT_AREA = (
    "(SELECT ST_Expand(ST_Transform(ST_SetSRID(ST_Extent(geom)::geometry, 4326), :srid), :size)"
    " FROM incidents)"
)


@dataclass(frozen=True)
class Grid:
    """The hexagon grid of an answer: ground circumradius, the same in Web Mercator units,
    and whether the counts are the coarse ones of roles that may not read incidents."""

    size_m: float
    mercator_size: float
    coarse: bool


def grid(conn: Connection, size_m: float | None) -> Grid:
    """The grid the caller gets: any size for the police, the fixed grid for everyone else."""
    if can_read(conn, "incidents"):
        size = cell_size(size_m, None) if size_m is not None else DEFAULT_SIZE_M
        return Grid(size, mercator_size(size, town_latitude(conn)), coarse=False)
    if size_m is not None and size_m != FIXED_SIZE_M:
        raise ValidationError(
            f"size_m: 本角色的热点网格固定为 {FIXED_SIZE_M:g} 米 (roles other than the police "
            f"see hot spots on one fixed grid of {FIXED_SIZE_M:g} m hexagons)"
        )
    mercator = conn.execute(text("SELECT incident_grid_size()")).scalar_one()
    return Grid(FIXED_SIZE_M, float(mercator), coarse=True)


def count_fragments(
    conn: Connection, inc: Selection, cells: Grid
) -> tuple[str, str, dict[str, Any], dict[str, Any]]:
    """(counts SQL, incident-area SQL, extra parameters, what the summary must say) for
    hotspot_cells.sql; `inc` is the incidents under the request's scope."""
    if not cells.coarse:
        counts = render("geo_service.spatial", "sql/hotspot_counts.sql", points=points_sql(inc))
        return counts, _INCIDENT_AREA, {}, {}
    scope = inc.scope
    if "datetime" in scope.given:
        raise ValidationError("热点只支持 date_from/date_to (datetime is for the police only)")
    if scope.key_area_kinds:
        raise ValidationError(
            "key_area_kind: 仅限派出所 (narrowing hot spots to key areas is for the police)"
        )
    params = {
        "hx_as_of": inc.as_of,
        "hx_from": as_town_date(scope.date_from, scope.tz) if scope.date_from else None,
        "hx_to": as_town_date(scope.date_to, scope.tz) if scope.date_to else None,
        "hx_categories": list(scope.incident_types) or None,
    }
    since, until = conn.execute(
        text(
            "SELECT since, until FROM incident_months(CAST(:hx_as_of AS date), "
            "CAST(:hx_from AS date), CAST(:hx_to AS date))"
        ),
        params,
    ).one()
    counts = (
        "SELECT c.i, c.j, c.n FROM incident_hex_counts(CAST(:hx_as_of AS date), "
        "CAST(:hx_from AS date), CAST(:hx_to AS date), CAST(:hx_categories AS text[])) c"
    )
    said = {
        "months": {"from": since.isoformat() if since else None, "to": until.isoformat()},
        "suppressed_below": SUPPRESSED_BELOW,
        "note_zh": f"按整月统计至 {until.isoformat()}；每格少于 {SUPPRESSED_BELOW} 起记为 0"
        f"（whole ended months; counts below {SUPPRESSED_BELOW} shown as 0）",
    }
    return counts, "CAST(NULL AS geometry)", params, said
