"""What the current database role may read: for listings that must leave out what a role
cannot open (OGC collections, tile layers) instead of failing as a whole."""

from typing import Literal

from sqlalchemy import Connection, text

from geo_service.access.roles import HOTSPOT_ROLES

IncidentDetail = Literal["exact", "coarse", "none"]
# What the coarse roles get, as the database functions of migration 0013 decide it: one fixed
# grid of hexagons this large (circumradius, ground metres), counts below this left out.
FIXED_SIZE_M = 250.0
SUPPRESSED_BELOW = 3


def can_read(conn: Connection, table: str) -> bool:
    """May the current role select from `table` (any of its columns)?"""
    return bool(
        conn.execute(
            text("SELECT has_any_column_privilege(CAST(:t AS regclass), 'SELECT')"), {"t": table}
        ).scalar()
    )


def readable_tables(conn: Connection) -> set[str]:
    """Tables and views of the public schema the current role may select from."""
    rows = conn.execute(
        text(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm', 'p') "
            "AND has_any_column_privilege(c.oid, 'SELECT')"
        )
    )
    return {r[0] for r in rows}


def require_readable(conn: Connection, table: str) -> None:
    """403 unless the current role may read `table` (for answers that would describe it
    without reading its rows, such as a collection's schema or a TileJSON)."""
    if not can_read(conn, table):
        from fastapi import HTTPException

        raise HTTPException(status_code=403, detail="无权访问此图层 forbidden: not for your role")


def incident_detail(conn: Connection) -> IncidentDetail:
    """How much the current role may know of incidents: `exact` (the police, the owner),
    `coarse` (leaders, supervision group: counts on the fixed grid over ended months, as the
    database functions of migration 0013 give them) or `none`."""
    if can_read(conn, "incidents"):
        return "exact"
    role = conn.execute(text("SELECT app_role()")).scalar()
    return "coarse" if role in {r.value for r in HOTSPOT_ROLES} else "none"
