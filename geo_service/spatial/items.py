"""GeoJSON features of a filtered layer, built by PostgreSQL in one statement per page.

The features come back as JSON text from the database and are spliced into the response
unparsed: a 10 000-feature page costs no Python work per feature.
"""

from sqlalchemy import Connection, text

from geo_service.spatial.filters import Selection, quote_ident
from layers.registry import Layer

# 6 decimals of a degree ≈ 0.1 m: finer than any house point we hold.
PRECISION = 6


def _feature_sql(layer: Layer) -> str:
    props = ", ".join(f"'{p.name}', q.{quote_ident(p.name)}" for p in layer.properties)
    return (
        "json_build_object('type', 'Feature', 'id', q.fid, "
        f"'geometry', ST_AsGeoJSON(q.geom, {PRECISION})::json, "
        f"'properties', json_build_object({props}))"
    )


def _columns(layer: Layer) -> str:
    cols = [quote_ident(c) for c in layer.columns]
    return ", ".join(
        ["t.fid", *(f"t.{c}" for c in cols), f"t.{quote_ident(layer.geometry)} AS geom"]
    )


def count(conn: Connection, sel: Selection) -> int:
    """numberMatched: how many features pass the filters."""
    return conn.execute(text(f"SELECT count(*) FROM {sel.source()}"), sel.params).scalar_one()


def page(conn: Connection, sel: Selection, limit: int, offset: int = 0) -> str:
    """A JSON array (text) of up to `limit` features from `offset`, in fid order."""
    sql = f"""
        SELECT coalesce(json_agg({_feature_sql(sel.layer)} ORDER BY q.fid), '[]'::json)::text
        FROM (SELECT {_columns(sel.layer)} FROM {sel.source()}
              ORDER BY t.fid LIMIT :limit_ OFFSET :offset_) q
    """
    params = {**sel.params, "limit_": int(limit), "offset_": int(offset)}
    return conn.execute(text(sql), params).scalar_one()


def one(conn: Connection, sel: Selection, fid: int) -> str | None:
    """One feature (JSON text), or None when `fid` is not in the filtered layer."""
    sql = f"""
        SELECT {_feature_sql(sel.layer)}::text
        FROM (SELECT {_columns(sel.layer)} FROM {sel.source(["t.fid = :fid_"])}) q
    """
    return conn.execute(text(sql), {**sel.params, "fid_": int(fid)}).scalar_one_or_none()


def extent(conn: Connection, layer: Layer) -> list[float] | None:
    """The layer's lon/lat extent: the planner's estimate when the table has been analysed (cheap
    at city scale), else computed exactly."""
    table, geom = quote_ident(layer.table), quote_ident(layer.geometry)
    corners = "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
    row = conn.execute(
        text(corners + "(SELECT ST_EstimatedExtent('public', :t, :g)::geometry AS e) s"),
        {"t": layer.table, "g": layer.geometry},
    ).one()
    if row[0] is None:
        row = conn.execute(
            text(corners + f"(SELECT ST_Extent({geom})::geometry AS e FROM {table}) s")
        ).one()
    return None if row[0] is None else [round(float(v), 6) for v in row]
