"""GeoJSON feature collections of registered layers (a thin wrapper of `geo_service.spatial`)."""

import json
from typing import Any

from sqlalchemy import Connection

from geo_service.spatial import items
from geo_service.spatial.filters import quote_ident, select
from layers.registry import Layer

__all__ = ["feature_collection", "quote_ident"]


def feature_collection(
    conn: Connection,
    layer: Layer,
    bbox: tuple[float, float, float, float] | None = None,
    limit: int = 100_000,
) -> dict[str, Any]:
    """The layer's features (optionally within `bbox`, lon/lat) as a GeoJSON FeatureCollection,
    as of today for the layers that depend on a date."""
    query = {"bbox": ",".join(str(v) for v in bbox)} if bbox else {}
    return json.loads(items.feature_collection(conn, select(layer, query), limit))
