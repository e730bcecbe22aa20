"""Local copies of every JS/CSS asset folium would fetch from a CDN (offline intranets).

The files come from the npm registry into `web_map/vendor/node_modules` (scripts/setup.sh) and
are served under `/static/vendor/`; each package keeps its own LICENSE there.
"""

from pathlib import Path

from branca.element import Element
from folium.elements import JSCSSMixin

VENDOR_DIR = Path(__file__).parent / "vendor" / "node_modules"
PREFIX = "/static/vendor"

# Asset name (as folium and its plugins name them) → path under node_modules.
LOCAL_JS = {
    "leaflet": "leaflet/dist/leaflet.js",
    "jquery": "jquery/dist/jquery.min.js",
    "markerclusterjs": "leaflet.markercluster/dist/leaflet.markercluster.js",
    "leaflet-heat.js": "leaflet.heat/dist/leaflet-heat.js",
    "vectorGrid": "leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js",
}
LOCAL_CSS = {
    "leaflet_css": "leaflet/dist/leaflet.css",
    "markerclustercss": "leaflet.markercluster/dist/MarkerCluster.css",
    "markerclusterdefaultcss": "leaflet.markercluster/dist/MarkerCluster.Default.css",
}


def missing_assets() -> list[str]:
    return [p for p in (*LOCAL_JS.values(), *LOCAL_CSS.values()) if not (VENDOR_DIR / p).exists()]


def localize(element: Element) -> None:
    """Point `element` and its children at local assets; drop CDN-only extras.

    Bootstrap, Font Awesome and awesome-markers are dropped: the page uses none of them.
    """
    for el in [element, *element._children.values()]:
        if isinstance(el, JSCSSMixin) or hasattr(el, "default_js"):
            el.default_js = [
                (n, f"{PREFIX}/{LOCAL_JS[n]}") for n, _ in el.default_js if n in LOCAL_JS
            ]
            el.default_css = [
                (n, f"{PREFIX}/{LOCAL_CSS[n]}") for n, _ in el.default_css if n in LOCAL_CSS
            ]
        if el is not element:
            localize(el)
