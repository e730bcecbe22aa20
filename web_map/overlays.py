"""The overlays of the map: what each is, its colour, and the empty folium layer the page fills.

folium draws the skeleton (layer objects, the layer control); `static/js/layers.js` fetches each
overlay's data with the current filters and fills its layer, so a filter change redraws in place
without reloading the page.
"""

from dataclasses import dataclass

import folium
from folium.plugins import HeatMap, MarkerCluster, VectorGridProtobuf

from geo_service.domain.vocabulary import KEY_AREA_KIND_ZH

# Above this many houses (under the unit filter) houses, hazards, overdue items and incidents
# come as vector tiles instead of GeoJSON (clusters and circles).
HOUSE_TILES_THRESHOLD = 20_000

KEY_AREA_COLOURS = {
    "urban_village": "#e67e22",
    "old_estate": "#8e44ad",
    "resettlement_estate": "#16a085",
    "rural_self_built": "#a0522d",
    "campus": "#2980b9",
}
CATEGORY_GROUP_COLOURS = {
    "house": "#795548",
    "fire": "#e53935",
    "security": "#1e88e5",
    "public_security": "#5e35b1",
    "power": "#f9a825",
}
# Days overdue → colour (upper bound inclusive; the last class is open-ended).
OVERDUE_CLASSES = ((30, "#fdae61", "≤30天"), (90, "#f46d43", "31–90天"), (None, "#a50026", ">90天"))


@dataclass(frozen=True)
class Overlay:
    """One toggleable overlay of the layer control."""

    key: str
    title_zh: str
    colour: str
    default_on: bool
    police_only: bool = False
    needs: str | None = None  # the data source it cannot work without (see page.sources)


OVERLAYS: tuple[Overlay, ...] = (
    Overlay("units", "村（社区）边界", "#3b5b92", True),
    *(
        Overlay(f"ka_{kind}", f"重点区域·{KEY_AREA_KIND_ZH[kind]}", colour, True)
        for kind, colour in KEY_AREA_COLOURS.items()
    ),
    Overlay("houses", "群租房", "#c0392b", True),
    Overlay("hazards", "安全隐患（类别·等级）", "#e53935", False),
    Overlay("overdue", "逾期未整改（按逾期天数）", "#a50026", True),
    Overlay("heat", "隐患密度·热力图", "#fc8d59", False),
    Overlay("hex", "隐患密度·六边形", "#fdbb84", False, needs="hex"),
    Overlay("incidents", "警情", "#34495e", False, police_only=True),
    Overlay("hotspots", "警情热点（Gi*）", "#b2182b", False, police_only=True, needs="hotspots"),
    Overlay("routes", "巡查路线", "#27ae60", False, needs="routes"),
)
OVERLAY_KEYS = tuple(o.key for o in OVERLAYS)


def label(o: Overlay) -> str:
    """The layer control's label: a colour swatch and the Chinese title."""
    return f'<span class="qzf-swatch" style="background:{o.colour}"></span>{o.title_zh}'


# At city scale, below these zooms a screen would hold tens of thousands of points: the density
# layers (hexagons, heat) show the picture there and the points appear when zoomed in.
TILE_MIN_ZOOM = {"houses": 16, "hazards": 15, "overdue": 14, "incidents": 15}


def _tile_options(key: str) -> str:
    # The tiles carry the record id as the MVT feature id; a click only sees properties.
    return (
        f'{{"rendererFactory": L.canvas.tile, "interactive": true, "maxNativeZoom": 19,'
        f' "minZoom": {TILE_MIN_ZOOM[key]},'
        ' "getFeatureId": function (f) { f.properties.fid = f.id; return f.id; },'
        f' "vectorTileLayerStyles": {{"{key}": QZF.styles.tiles["{key}"]}}}}'
    )


def _layer(o: Overlay, show: bool, tile_url: str | None) -> folium.map.Layer:
    name = label(o)
    if tile_url:  # city scale: vector tiles of the layer API, the filters in the URL
        return VectorGridProtobuf(tile_url, name, _tile_options(o.key), True, True, show)
    if o.key == "houses":
        return MarkerCluster(
            name=name,
            show=show,
            options={"maxClusterRadius": 45, "disableClusteringAtZoom": 17, "chunkedLoading": True},
        )
    if o.key == "heat":
        return HeatMap([], name=name, show=show, radius=18, blur=14, min_opacity=0.35)
    return folium.FeatureGroup(name=name, show=show)


def add_overlays(
    m: folium.Map, shown: set[str], allowed: list[Overlay], tile_urls: dict[str, str]
) -> dict[str, str]:
    """Add the `allowed` overlays to `m` (those in `shown` switched on, those in `tile_urls` as
    vector tiles); returns overlay key → JS variable."""
    names = {}
    for o in allowed:
        layer = _layer(o, o.key in shown, tile_urls.get(o.key))
        layer.add_to(m)
        names[o.key] = layer.get_name()
    return names
