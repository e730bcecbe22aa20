"""GeoJSON feature collections of registered layers, built in one SQL statement."""

from typing import Any

from sqlalchemy import Connection, text

from layers.registry import Layer


def quote_ident(name: str) -> str:
    """Quote an identifier that comes from the layer registry (never from request input)."""
    return '"' + name.replace('"', '""') + '"'


def feature_collection(
    conn: Connection,
    layer: Layer,
    bbox: tuple[float, float, float, float] | None = None,
    limit: int = 100_000,
) -> dict[str, Any]:
    """The layer's features (optionally within `bbox`, lon/lat) as a GeoJSON FeatureCollection."""
    geom, pk = quote_ident(layer.geometry), quote_ident(layer.id_column)
    cols = ", ".join(quote_ident(c) for c in layer.columns)
    where = f"{geom} IS NOT NULL"
    params: dict[str, Any] = {"limit": int(limit)}
    if bbox:
        where += f" AND {geom} && ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326)"
        params.update(zip(("x0", "y0", "x1", "y1"), bbox, strict=True))
    sql = f"""
        SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
                   json_build_object('type', 'Feature', 'id', t.fid_,
                                     'geometry', ST_AsGeoJSON(t.geom_, 6)::json,
                                     'properties', to_jsonb(t) - 'geom_' - 'fid_')), '[]'))
        FROM (SELECT {pk} AS fid_, {cols}, {geom} AS geom_
              FROM {quote_ident(layer.table)} WHERE {where}
              ORDER BY {pk} LIMIT :limit) t
    """
    return conn.execute(text(sql), params).scalar_one()
