"""Local copies of every JS/CSS asset folium would fetch from a CDN (offline intranets).

The files come from the npm registry into `web_map/vendor/node_modules` (scripts/setup.sh) and
are served under `/static/vendor/`; each package keeps its own LICENSE there.
"""

from pathlib import Path
from typing import ClassVar

from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin

VENDOR_DIR = Path(__file__).parent / "vendor" / "node_modules"
PREFIX = "/static/vendor"
# The page's own scripts and style (hand-written, in web_map/static), served under APP_PREFIX.
APP_DIR = Path(__file__).parent / "static"
APP_PREFIX = "/static/map"
APP_CSS = [f"{APP_PREFIX}/map.css", f"{APP_PREFIX}/phone.css"]
# The scripts, in load order; the page loads them as one bundle (one request instead of eight).
APP_SCRIPTS = (
    "core", "gcj02", "styles", "popups", "layers", "vectorgrid", "filters", "dashboard", "sheet",
    "start",
)  # fmt: skip
APP_JS = [f"{APP_PREFIX}/app.js"]


def app_bundle() -> str:
    """The page's scripts joined in load order (each keeps its own scope)."""
    parts = [(APP_DIR / "js" / f"{name}.js").read_text("utf-8") for name in APP_SCRIPTS]
    return "\n;\n".join(parts)


# Asset name (as folium and its plugins name them) → path under node_modules.
LOCAL_JS = {
    "leaflet": "leaflet/dist/leaflet.js",
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


class AppAssets(JSCSSMixin, MacroElement):
    """The page's own scripts and style; added to the map last so they load after Leaflet's."""

    default_js: ClassVar = [(url.rsplit("/", 1)[1], url) for url in APP_JS]
    default_css: ClassVar = [(url.rsplit("/", 1)[1], url) for url in APP_CSS]

    def __init__(self) -> None:
        super().__init__()
        self._name = "AppAssets"


def _local(assets: list[tuple[str, str]], table: dict[str, str]) -> list[tuple[str, str]]:
    # Known CDN assets → the vendored copy; the app's own (already local) stay; the rest go.
    return [
        (n, f"{PREFIX}/{table[n]}" if n in table else url)
        for n, url in assets
        if n in table or url.startswith("/static/")
    ]


def localize(element: Element) -> None:
    """Point `element` and its children at local assets; drop CDN-only extras.

    Bootstrap, Font Awesome, awesome-markers and jQuery are dropped: the page uses none of them
    (evaluating jQuery took ~50 ms of a 4×-slowed CPU before the map could start).
    """
    for el in [element, *element._children.values()]:
        if isinstance(el, JSCSSMixin) or hasattr(el, "default_js"):
            el.default_js = _local(el.default_js, LOCAL_JS)
            el.default_css = _local(el.default_css, LOCAL_CSS)
        if el is not element:
            localize(el)
