"""Local copies of every JS/CSS asset folium would fetch from a CDN (offline intranets).

The files are fetched at build time, pinned and checked, into `web_map/static/vendor/NAME/`
(`build_support/vendor_assets.py`, from `web_map/vendor/assets.toml`) and shipped in the
wheel; they are served under `/static/vendor/`, each package with its licence, and
`VERSIONS.json` lists them. A server without them refuses to start (`check_assets`).
"""

import json
from pathlib import Path
from typing import ClassVar

from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin

from geo_service.errors import SetupError

VENDOR_DIR = Path(__file__).parent / "static" / "vendor"
VERSIONS = VENDOR_DIR / "VERSIONS.json"
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


# Asset name (as folium and its plugins name them) → path under VENDOR_DIR.
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


# The API documentation pages (/docs, /redoc: geo_service.api.docs_pages).
SWAGGER_JS = "swagger-ui-dist/swagger-ui-bundle.js"
SWAGGER_CSS = "swagger-ui-dist/swagger-ui.css"
SWAGGER_FAVICON = "swagger-ui-dist/favicon-32x32.png"
REDOC_JS = "redoc/bundles/redoc.standalone.js"


def missing_assets() -> list[str]:
    """Vendored files the app needs or VERSIONS.json lists that are not on disk."""
    try:
        packages = json.loads(VERSIONS.read_text("utf-8"))["packages"]
        listed = [f"{name}/{f}" for name, p in packages.items() for f in p["files"]]
    except (OSError, ValueError, KeyError):
        listed = [str(VERSIONS.relative_to(VENDOR_DIR))]
    used = [*LOCAL_JS.values(), *LOCAL_CSS.values(), SWAGGER_JS, SWAGGER_CSS, REDOC_JS]
    return [p for p in dict.fromkeys([*listed, *used]) if not (VENDOR_DIR / p).is_file()]


def check_assets() -> None:
    """Refuse to serve without the vendored files: a page would load, its scripts fail."""
    missing = missing_assets()
    if missing:
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise SetupError(
            f"前端资源缺失 map and API-docs assets missing: {VENDOR_DIR / missing[0]}{more}; "
            "reinstall the package, or in a checkout run `python3 build_support/vendor_assets.py`"
        )


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
