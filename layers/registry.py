"""The registry of layers. Table and column names used in SQL come only from here, never from
request input: a request names a layer, the registry resolves it or the request gets a 404.
"""

from dataclasses import dataclass

from geo_service.errors import NotFoundError


@dataclass(frozen=True)
class Layer:
    name: str
    title_zh: str
    table: str
    columns: tuple[str, ...]  # properties exposed (never personal data columns)
    geometry: str = "geom"
    id_column: str = "id"
    geometry_type: str = "Point"


LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in [
        Layer("units", "村（社区）边界", "units", ("name", "kind"), geometry_type="MultiPolygon"),
        Layer(
            "houses",
            "群租房",
            "houses",
            (
                "house_code",
                "unit_id",
                "address",
                "rooms",
                "beds",
                "tenants",
                "registered_tenants",
                "is_registered",
                "pledge_signed",
                "cctv_installed",
                "geocode_method",
                "needs_review",
            ),
        ),
    ]
}


def get_layer(name: str) -> Layer:
    try:
        return LAYERS[name]
    except KeyError:
        raise NotFoundError(f"unknown layer {name!r} (未知图层)") from None
