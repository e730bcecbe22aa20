"""The map page (地图): folium composes the map, its layers and controls; the page's own scripts
(`web_map/static/js/`) fetch the data with the current filters and fill the layers.
"""

import json
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from urllib.parse import urlencode

import folium
from branca.element import Element, MacroElement
from folium.template import Template
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import Connection

from geo_service.clock import town_today
from geo_service.config import Settings
from geo_service.domain.vocabulary import HAZARD_CATEGORIES, KEY_AREA_KIND_ZH, SEVERITY_ZH
from geo_service.scope import STATUS_ZH, Scope
from web_map import queries
from web_map.assets import AppAssets, localize
from web_map.basemaps import BASEMAP_INFO, add_basemaps
from web_map.menu import menu_html
from web_map.overlays import (
    CATEGORY_GROUP_COLOURS,
    HOUSE_TILES_THRESHOLD,
    KEY_AREA_COLOURS,
    OVERDUE_CLASSES,
    OVERLAYS,
    Overlay,
    add_overlays,
)
from web_map.sources import ACCEPTS, FIXED, TILE_LAYERS, sources
from web_map.viewer import Viewer

_templates = Environment(
    loader=PackageLoader("web_map", "templates"), autoescape=select_autoescape(["html"])
)
SYNTHETIC_BANNER = '<div id="synthetic-banner">演示数据（合成）· Synthetic demo data</div>'
TOWN_CENTRE = (31.70, 120.07)


class _Start(MacroElement):
    """`QZF.start(…)` after folium's own script, so every layer variable exists by then."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")

    def __init__(self, code: str) -> None:
        super().__init__()
        self._name = "Start"
        self.code = code


class _InitialView(MacroElement):
    """The view before any layer is added: the shared link's (#zoom/lat/lng), else the units'
    extent — so no tile is fetched for a view the page then leaves (nor during a zoom
    animation from folium's starting view: on a narrow screen the extent is another zoom)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map) {
          var v = /^#(\\d+)\\/(-?[\\d.]+)\\/(-?[\\d.]+)$/.exec(location.hash);
          if (v) map.setView([+v[2], +v[3]], +v[1], {animate: false});
          {% if this.bounds %}else map.fitBounds({{ this.bounds|tojson }},
                                                 {padding: [10, 10], animate: false});
          {% endif %}
        })({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self, bounds: list[list[float]] | None) -> None:
        super().__init__()
        self._name = "InitialView"
        self.bounds = bounds


@dataclass(frozen=True)
class PageRequest:
    """What the page is asked to show (from the URL) and who is asking: the scope, the
    filters as given (for the page's URLs), the town's today."""

    scope: Scope = field(default_factory=lambda: Scope(as_of=town_today()))
    filters: dict[str, str] = field(default_factory=dict)
    today: date = field(default_factory=town_today)
    basemap: str = "none"
    layers: tuple[str, ...] | None = None  # overlays switched on; None = the defaults
    viewer: Viewer = field(default_factory=Viewer)
    route_paths: frozenset[str] = field(default_factory=frozenset)
    print_mode: bool = False
    house_mode: str | None = None  # "tiles" or "cluster" to override the choice by count


def _allowed(req: PageRequest, src: dict[str, str | None]) -> tuple[list[Overlay], list[str]]:
    """Overlays this viewer gets, and the titles of those whose data source is missing."""
    allowed, missing = [], []
    for o in OVERLAYS:
        if o.key == "hotspots" and not req.viewer.can_see_hotspots:
            continue
        if o.police_only and o.key != "hotspots" and not req.viewer.can_see_incidents:
            continue
        if o.needs and not src.get(o.needs):
            missing.append(o.title_zh)
            continue
        allowed.append(o)
    return allowed, missing


def _panels(conn: Connection, req: PageRequest, missing: list[str]) -> str:
    groups = [(g, list(cs)) for g, cs in groupby(HAZARD_CATEGORIES, key=lambda c: c.group_zh)]
    filters = _templates.get_template("filters.html").render(
        units=queries.unit_options(conn),
        key_area_kinds=[(k.value, zh) for k, zh in KEY_AREA_KIND_ZH.items()],
        categories=groups,
        severities=[(s.value, zh) for s, zh in SEVERITY_ZH.items()],
        statuses=list(STATUS_ZH.items()),
        as_of=req.scope.as_of.isoformat(),
        today=req.today.isoformat(),
    )
    group_zh = {c.group: c.group_zh for c in HAZARD_CATEGORIES}
    legend = _templates.get_template("legend.html").render(
        key_areas=[(k, KEY_AREA_KIND_ZH[k], c) for k, c in KEY_AREA_COLOURS.items()],
        groups=[(group_zh[g], c) for g, c in CATEGORY_GROUP_COLOURS.items()],
        overdue=[(c, zh, 10 + 4 * i) for i, (_, c, zh) in enumerate(OVERDUE_CLASSES)],
        police=req.viewer.can_see_incidents,
        unavailable=missing,
    )
    dashboard = _templates.get_template("dashboard.html").render()
    sheet = _templates.get_template("sheet.html").render()  # the panels' home on a phone
    return f'<div id="qzf-panels" hidden>{filters}{legend}{dashboard}</div>{sheet}'


def _config(req: PageRequest, src: dict, house_mode: str, timezone: str) -> dict:
    """Plain data the scripts need (JSON)."""
    return {
        "filters": req.filters,
        "today": req.today.isoformat(),
        "timezone": timezone,  # times are shown as the town reads them
        "basemap": req.basemap,
        "basemapCrs": {k: b.crs for k, b in BASEMAP_INFO.items()},
        "sources": src,
        "accepts": ACCEPTS,
        "fixed": FIXED,
        "houseMode": house_mode,
        "houseModeAsked": req.house_mode,
        "tileLayers": list(TILE_LAYERS) if house_mode == "tiles" else [],
        "print": req.print_mode,
        "categories": {
            c.code: {"zh": c.label_zh, "group": c.group, "groupZh": c.group_zh}
            for c in HAZARD_CATEGORIES
        },
        "keyAreaZh": {k.value: zh for k, zh in KEY_AREA_KIND_ZH.items()},
        "colours": {
            "keyAreas": KEY_AREA_COLOURS,
            "groups": CATEGORY_GROUP_COLOURS,
            "overdue": [[limit, colour] for limit, colour, _ in OVERDUE_CLASSES],
        },
    }


def build_page(conn: Connection, settings: Settings, req: PageRequest) -> folium.Map:
    """The folium map for `req`, with every asset served by the app itself."""
    src = sources(req.route_paths, queries.has_table(conn, "route_plans"))
    if req.house_mode:
        tiles = req.house_mode == "tiles"
    else:
        tiles = queries.house_count(conn, req.scope) > HOUSE_TILES_THRESHOLD
    tiles = tiles and bool(src["houses_tiles"])
    house_mode = "tiles" if tiles else "cluster"
    tile_urls = {}
    if tiles:  # with the filters each tile layer accepts, so the first tiles are already right
        for key in TILE_LAYERS:
            q = {k: v for k, v in req.filters.items() if k in ACCEPTS[f"{key}_tiles"]}
            tile_urls[key] = f"{src[f'{key}_tiles']}?{urlencode(q)}"
    m = folium.Map(
        location=TOWN_CENTRE,
        zoom_start=13,
        tiles=None,
        max_zoom=19,
        control_scale=True,
        prefer_canvas=True,
        fade_animation=False,  # a drawn map is fully drawn: no tiles half faded in a PNG
    )
    extent = queries.map_extent(conn, req.scope)
    west, south, east, north = extent or (None,) * 4
    _InitialView([[south, west], [north, east]] if extent else None).add_to(m)
    base = add_basemaps(m, settings, req.basemap)
    allowed, missing = _allowed(req, src)
    shown = set(req.layers) if req.layers is not None else {o.key for o in allowed if o.default_on}
    if req.layers is None and tiles:  # city scale: the overview is the density
        shown.add("hex")
    layers = add_overlays(m, shown, allowed, tile_urls)
    control = folium.LayerControl(collapsed=req.print_mode, position="topright").add_to(m)

    root = m.get_root()
    root.title = "群租房安全管理地图"
    AppAssets().add_to(m)
    root.html.add_child(Element(_panels(conn, req, missing)))
    if not req.print_mode:
        root.html.add_child(Element(menu_html(req.viewer.role, "/map")))
    if queries.is_synthetic(conn):
        root.html.add_child(Element(SYNTHETIC_BANNER))
    refs = ", ".join(f"{json.dumps(k)}: {v}" for k, v in layers.items())
    bases = ", ".join(f"{json.dumps(k)}: {v}" for k, v in base.items())
    cfg = _config(req, src, house_mode, settings.timezone)
    config = json.dumps(cfg, ensure_ascii=False, default=str)
    # Before folium builds the map: the overlays' data is asked for while Leaflet starts up.
    on = json.dumps([k for k in layers if k in shown])
    root.html.add_child(Element(f"<script>QZF.prefetch({config}, {on});</script>"))
    _Start(
        f"QZF.start({{map: {m.get_name()}, control: {control.get_name()}, "
        f"layers: {{{refs}}}, basemaps: {{{bases}}}}}, {config});"
    ).add_to(m)
    localize(m)
    return m
