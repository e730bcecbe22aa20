"""Small HTTP helpers shared by the spatial routes (OGC API, tiles, density, incidents)."""

from collections.abc import Mapping

from fastapi import Request
from fastapi.responses import Response

from layers.registry import Layer

GEOJSON = "application/geo+json"
MVT = "application/vnd.mapbox-vector-tile"
MAX_AGE = 60  # seconds: data change with imports and as "today" moves on


def query_dict(request: Request) -> dict[str, str]:
    """Query parameters as one string each; a repeated parameter is joined with commas."""
    out: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        out[key] = f"{out[key]},{value}" if key in out else value
    return out


def cache_control(layer: Layer | None = None, sensitive: bool = False) -> dict[str, str]:
    """Cache-Control: police-only data (incidents) may be kept by the browser, never a proxy."""
    private = sensitive or (layer is not None and layer.sensitive)
    return {"Cache-Control": f"{'private' if private else 'public'}, max-age={MAX_AGE}"}


def geojson(body: str, headers: Mapping[str, str] | None = None) -> Response:
    """A response whose body is GeoJSON text built by the database."""
    return Response(content=body, media_type=GEOJSON, headers=dict(headers or {}))


def base_url(request: Request) -> str:
    """The server's root URL as the client sees it (no trailing slash)."""
    return str(request.base_url).rstrip("/")
