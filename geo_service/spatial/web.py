"""Small HTTP helpers shared by the spatial routes (OGC API, tiles, density, incidents)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response
from pydantic import WithJsonSchema

from geo_service.geojson import GEOJSON
from layers.registry import Layer

MVT = "application/vnd.mapbox-vector-tile"
MAX_AGE = 60  # seconds: data change with imports and as "today" moves on
# A date travelling as text (the filters parse and bound it with a message of their own),
# described as a date so clients and API fuzzers know its shape.
DateText = Annotated[str | None, WithJsonSchema({"type": "string", "format": "date"})]


def query_dict(request: Request) -> dict[str, str]:
    """Query parameters as one string each; a repeated parameter is joined with commas."""
    out: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        out[key] = f"{out[key]},{value}" if key in out else value
    return out


def cache_control(layer: Layer | None = None, sensitive: bool = False) -> dict[str, str]:
    """Cache-Control of spatial answers: `private` always — what a user sees depends on who
    they are (a village sees its own unit, only police see incidents), so a shared proxy must
    never serve one user's tile to another; the browser may keep it for MAX_AGE seconds.

    Police-only data (`sensitive`, or a sensitive `layer`: incidents) is not stored at all.
    """
    if sensitive or (layer is not None and layer.sensitive):
        return {"Cache-Control": "private, no-store"}
    return {"Cache-Control": f"private, max-age={MAX_AGE}"}


def geojson(body: str, headers: Mapping[str, str] | None = None) -> Response:
    """A response whose body is GeoJSON text built by the database."""
    return Response(content=body, media_type=GEOJSON, headers=dict(headers or {}))


def base_url(request: Request) -> str:
    """The server's root URL as the client sees it (no trailing slash)."""
    return str(request.base_url).rstrip("/")


@dataclass
class HazardFilterParams:
    """The hazard filters (docs/filters.md), declared once for the OpenAPI document.

    Routes read them through the request's scope (`geo_service.api.scope`), which validates
    values, and the layer's selection, which rejects parameters the layer does not accept.
    """

    as_of: Annotated[DateText, Query(description="YYYY-MM-DD, default today (as-of date)")] = None
    unit_id: Annotated[str | None, Query(description="unit id(s), comma-separated")] = None
    unit: Annotated[str | None, Query(description="unit name(s) or id(s), comma-separated")] = None
    category: Annotated[str | None, Query(description="hazard category code(s) or 中文")] = None
    category_group: Annotated[
        str | None, Query(description="category group(s): house, fire, security, …")
    ] = None
    severity: Annotated[str | None, Query(description="major / general (重大 / 一般)")] = None
    status: Annotated[str | None, Query(description="open / overdue / rectified")] = None
    department: Annotated[str | None, Query(description="责任部门 name(s) or id(s)")] = None
    key_area_kind: Annotated[
        str | None, Query(description="inside a key area of this kind, e.g. urban_village")
    ] = None
    found_from: Annotated[DateText, Query(description="found on or after (YYYY-MM-DD)")] = None
    found_to: Annotated[DateText, Query(description="found on or before (YYYY-MM-DD)")] = None
    date_from: Annotated[DateText, Query(description="found on or after (YYYY-MM-DD)")] = None
    date_to: Annotated[DateText, Query(description="found on or before (YYYY-MM-DD)")] = None
    bbox: Annotated[str | None, Query(description="minx,miny,maxx,maxy (lon/lat)")] = None
