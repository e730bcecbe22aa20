"""The map page (地图): a folium map of the town drawn from PostGIS."""

import folium
from folium.plugins import MarkerCluster
from sqlalchemy import Engine, text

from geo_service.features import feature_collection
from layers.registry import get_layer
from web_map.assets import localize

SYNTHETIC_BANNER = (
    '<div id="synthetic-banner" style="position:fixed;top:8px;left:50%;transform:translateX(-50%);'
    "z-index:1000;background:#fff3cd;border:1px solid #e0b252;padding:4px 12px;"
    'font:14px sans-serif">演示数据（合成）· Synthetic demo data</div>'
)


def _is_synthetic(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(
            conn.execute(
                text("SELECT value->>'synthetic' FROM meta WHERE key = 'dataset'")
            ).scalar_one_or_none()
            == "true"
        )


def build_map(engine: Engine) -> folium.Map:
    with engine.connect() as conn:
        units = feature_collection(conn, get_layer("units"))
        houses = feature_collection(conn, get_layer("houses"))
        extent = conn.execute(
            text(
                "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
                "FROM (SELECT ST_Extent(geom) e FROM units) s"
            )
        ).one()
    m = folium.Map(tiles=None, max_zoom=19, control_scale=True, prefer_canvas=True)
    if extent[0] is not None:
        m.fit_bounds([[extent[1], extent[0]], [extent[3], extent[2]]])
    else:
        m.location, m.zoom_start = [31.70, 120.07], 13
    folium.GeoJson(
        units,
        name="村（社区）边界 units",
        style_function=lambda f: {"color": "#3b5b92", "weight": 2, "fillOpacity": 0.05},
        tooltip=folium.GeoJsonTooltip(fields=["name"], aliases=["单位"]),
    ).add_to(m)
    cluster = MarkerCluster(name="群租房 houses").add_to(m)
    for f in houses["features"]:
        lon, lat = f["geometry"]["coordinates"]
        p = f["properties"]
        folium.CircleMarker(
            [lat, lon],
            radius=5,
            color="#c0392b",
            fill=True,
            popup=folium.Popup(
                f"{p['house_code']}<br>{p['address']}<br>租住 {p['tenants']} 人", max_width=260
            ),
        ).add_to(cluster)
    folium.LayerControl(collapsed=False).add_to(m)
    if _is_synthetic(engine):
        m.get_root().html.add_child(folium.Element(SYNTHETIC_BANNER))
    localize(m)
    return m
