"""GeoJSON features of a filtered layer, built by PostgreSQL in one statement per page.

The features come back as JSON text from the database and are spliced into the response
unparsed: a 10 000-feature page costs no Python work per feature. `properties` picks and
renames what a feature carries (output name → registry column); by default every property of
the layer, under its own name.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, text

from geo_service.spatial.selection import Selection, quote_ident
from layers.registry import Layer

# 6 decimals of a degree ≈ 0.1 m: finer than any house point we hold.
PRECISION = 6
Properties = Mapping[str, str] | None


def _props(sel: Selection, properties: Properties) -> dict[str, str]:
    if properties is None:
        return {c: c for c in sel.layer.columns}
    known = {*sel.layer.columns, *sel.extra_columns}
    unknown = [c for c in properties.values() if c not in known]
    if unknown:  # a programming error: names come from the code, never from a request
        raise KeyError(f"layer {sel.layer.name} has no column {unknown}")
    return dict(properties)


def _feature_sql(props: Mapping[str, str]) -> str:
    assert all(out.isidentifier() for out in props), props  # names from the code only
    members = ", ".join(f"'{out}', q.{quote_ident(col)}" for out, col in props.items())
    return (
        "json_build_object('type', 'Feature', 'id', q.fid, "
        f"'geometry', ST_AsGeoJSON(q.geom, {PRECISION})::json, "
        f"'properties', json_build_object({members}))"
    )


def _columns(layer: Layer, props: Mapping[str, str]) -> str:
    cols = [f"t.{quote_ident(c)}" for c in dict.fromkeys(props.values())]
    return ", ".join(["t.fid", *cols, f"t.{quote_ident(layer.geometry)} AS geom"])


def count(conn: Connection, sel: Selection) -> int:
    """numberMatched: how many features pass the filters."""
    return conn.execute(text(f"SELECT count(*) FROM {sel.source()}"), sel.params).scalar_one()


def page(
    conn: Connection, sel: Selection, limit: int, offset: int = 0, properties: Properties = None
) -> str:
    """A JSON array (text) of up to `limit` features from `offset`, in fid order."""
    props = _props(sel, properties)
    sql = f"""
        SELECT coalesce(json_agg({_feature_sql(props)} ORDER BY q.fid), '[]'::json)::text
        FROM (SELECT {_columns(sel.layer, props)} FROM {sel.source()}
              ORDER BY t.fid LIMIT :limit_ OFFSET :offset_) q
    """
    params = {**sel.params, "limit_": int(limit), "offset_": int(offset)}
    return conn.execute(text(sql), params).scalar_one()


def one(
    conn: Connection,
    sel: Selection,
    fid: int,
    properties: Properties = None,
    located_only: bool = True,
) -> str | None:
    """One feature (JSON text), or None when `fid` is not in the filtered layer; with
    `located_only=False` a record without a geometry is a feature with a null geometry."""
    props = _props(sel, properties)
    source = sel.source(["t.fid = :fid_"], located_only=located_only)
    sql = f"""
        SELECT {_feature_sql(props)}::text
        FROM (SELECT {_columns(sel.layer, props)} FROM {source}) q
    """
    return conn.execute(text(sql), {**sel.params, "fid_": int(fid)}).scalar_one_or_none()


def rows(
    conn: Connection,
    sel: Selection,
    columns: list[str],
    with_id: bool = False,
    located_only: bool = True,
) -> list[dict[str, Any]]:
    """Every filtered row as a dict of `columns` (with `with_id`, `id` first) and, for a point
    layer, `lon`, `lat` (6 decimals), in fid order (exports and popups: records, not
    features)."""
    props = _props(sel, {c: c for c in columns})
    cols = ["t.fid AS id"] * with_id + [f"t.{quote_ident(c)}" for c in props]
    if sel.layer.geometry_type == "Point":
        geom = f"t.{quote_ident(sel.layer.geometry)}"
        cols += [
            f"round(ST_X({geom})::numeric, {PRECISION}) AS lon",
            f"round(ST_Y({geom})::numeric, {PRECISION}) AS lat",
        ]
    sql = f"""
        SELECT {", ".join(cols)}
        FROM {sel.source(located_only=located_only)} ORDER BY t.fid
    """
    return [dict(r) for r in conn.execute(text(sql), sel.params).mappings()]


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
