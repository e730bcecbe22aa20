"""Base maps: the offline one drawn from the database, and the online ones a town may configure.

- `none` (default): roads and unit areas from PostGIS as vector tiles (`/map/basemap/…`), so
  the map is readable on an intranet with no tile server at all.
- `tianditu` (天地图, CGCS2000 ≈ WGS84, needs `GEO_TIANDITU_KEY`), `amap` (高德, GCJ-02: the page
  shifts every overlay to GCJ-02 while it is shown), `osm` (OpenStreetMap).

Only the offline base map, the configured one and the one named in the URL are offered, so an
intranet page never lists tile servers it cannot reach.
"""

from dataclasses import dataclass

import folium
from folium.plugins import VectorGridProtobuf

from geo_service.config import Settings
from geo_service.errors import ValidationError

# 512-pixel tiles: a screen needs a quarter as many requests as with 256-pixel ones.
OFFLINE_TILES = "/map/basemap/{z}/{x}/{y}.pbf?size=512"
# Styles of the offline base map's two MVT layers (functions: VectorGrid calls them per feature).
_OFFLINE_OPTIONS = """{
  "rendererFactory": L.canvas.tile, "tileSize": 512, "minZoom": 1, "maxNativeZoom": 19,
  "maxZoom": 19,
  "attribution": "底图：本系统数据库（道路、村界）",
  "vectorTileLayerStyles": {
    "land": {"fill": true, "fillColor": "#f3f1ea", "fillOpacity": 1, "color": "#d6cfbf",
             "weight": 1},
    "roads": function (p, z) {
      var main = p["class"] !== "local";
      return {"color": main ? "#f2c46d" : "#ffffff", "weight": main ? (z > 14 ? 6 : 3) : 2,
              "opacity": 1};
    }
  }
}"""


BASEMAPS = ("none", "tianditu", "amap", "osm")


def parse_basemap(value: str | None, default: str) -> str:
    """The basemap asked for in the URL, else the configured one."""
    value = (value or "").strip() or default
    if value not in BASEMAPS:
        raise ValidationError(f"底图无效 invalid basemap: {value!r} ({', '.join(BASEMAPS)})")
    return value


@dataclass(frozen=True)
class Basemap:
    """One base map choice."""

    key: str
    title_zh: str
    crs: str  # the coordinate system its tiles are drawn in: WGS84 or GCJ02


BASEMAP_INFO = {
    "none": Basemap("none", "离线底图（道路与村界）", "WGS84"),
    "tianditu": Basemap("tianditu", "天地图", "WGS84"),
    "amap": Basemap("amap", "高德地图（GCJ-02）", "GCJ02"),
    "osm": Basemap("osm", "OpenStreetMap", "WGS84"),
}
_TIANDITU = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
    "&TILECOL={x}&tk={key}"
)


def offered(settings: Settings, selected: str) -> list[str]:
    """The base maps listed in the layer control, the offline one first."""
    keys = ["none"]
    for key in (settings.basemap, selected):
        if key not in keys:
            keys.append(key)
    if "tianditu" in keys and not settings.tianditu_key:
        if selected == "tianditu":
            raise ValidationError("天地图需要密钥 Tianditu needs a key: set GEO_TIANDITU_KEY")
        keys.remove("tianditu")
    return keys


def _online(key: str, settings: Settings, show: bool) -> folium.map.Layer:
    title = BASEMAP_INFO[key].title_zh
    if key == "osm":
        return folium.TileLayer(
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            attr="© OpenStreetMap contributors",
            name=title,
            max_zoom=19,
            overlay=False,
            show=show,
        )
    if key == "amap":
        return folium.TileLayer(
            "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
            "&x={x}&y={y}&z={z}",
            attr="© 高德地图 AutoNavi",
            name=title,
            subdomains="1234",
            max_zoom=19,
            max_native_zoom=18,
            overlay=False,
            show=show,
        )
    # Tianditu: the vector map and its Chinese labels, one base layer.
    group = folium.FeatureGroup(name=title, overlay=False, show=show)
    for layer in ("vec", "cva"):
        folium.TileLayer(
            _TIANDITU.replace("{layer}", layer).replace("{key}", settings.tianditu_key or ""),
            attr="© 天地图 Tianditu",
            subdomains="01234567",
            max_zoom=18,
            control=False,
        ).add_to(group)
    return group


def add_basemaps(m: folium.Map, settings: Settings, selected: str) -> dict[str, str]:
    """Add the offered base maps to `m`; returns base map key → JS variable name."""
    names = {}
    for key in offered(settings, selected):
        show = key == selected
        if key == "none":
            title = BASEMAP_INFO[key].title_zh
            layer = VectorGridProtobuf(OFFLINE_TILES, title, _OFFLINE_OPTIONS, False, True, show)
        else:
            layer = _online(key, settings, show)
        layer.add_to(m)
        names[key] = layer.get_name()
    return names
