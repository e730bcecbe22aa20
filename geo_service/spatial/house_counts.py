"""Houses with the counts of their hazards open and overdue on the as-of day: the map's house
markers and its house export, built from two registered layers under one scope."""

from dataclasses import replace

from sqlalchemy import Connection

from geo_service.scope import Scope
from geo_service.spatial.selection import Selection, select
from geo_service.sqlfiles import render
from layers.registry import get_layer

COUNTS = ("open_hazards", "overdue_hazards")


def houses_with_hazard_counts(conn: Connection, scope: Scope) -> Selection:
    """The houses under the scope's house filters, each with `open_hazards` (not rectified on
    the day) and `overdue_hazards` among its hazards that the hazard filters keep — all but
    the status, which is what is being counted."""
    houses = select(conn, get_layer("houses"), scope, strict=False)
    # The house filters again on the hazards: the same houses, and their hazards are found by
    # the units' index instead of counting the whole town's.
    hazards = select(
        conn, get_layer("hazards"), replace(scope, statuses=()), strict=False, prefix="z_"
    )
    rows = render(
        "geo_service.spatial",
        "sql/house_hazard_counts.sql",
        houses=houses.source(located_only=False),
        hazards=hazards.source(located_only=False),
    )
    return Selection(
        houses.layer,
        scope,
        params={**houses.params, **hazards.params},
        rows=rows,
        extra_columns=COUNTS,
    )
