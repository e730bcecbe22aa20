"""The registry of layers. Table and column names used in SQL come only from here, never from
request input: a request names a layer, the registry resolves it or the request gets a 404.

Each layer's rows come from a packaged SQL file `layers/sql/<name>.sql`: one SELECT yielding
`fid`, the exposed properties and `geom` (SRID 4326), and the columns the scope's filters read
(`geo_service.scope.sql`: `unit_id`, `is_self_built`, `department_id`, …) even when they are
not exposed. Layers that describe the campaign on a given day read the bound parameter
`:as_of` (a date), hazard layers through the database's `hazard_state(:as_of)`; `:tz` is the
town's time zone. The features, tiles and density code wrap that SELECT as a subquery, so
PostgreSQL pushes `geom && envelope` and the filters down to the base tables' indexes.
Personal data columns (ID numbers, phones, names) are never selected by any layer.
"""

from dataclasses import dataclass, replace
from typing import Literal

from geo_service.domain.vocabulary import HAZARD_CATEGORIES, INCIDENT_TYPES_ZH, KeyAreaKind
from geo_service.errors import NotFoundError
from geo_service.sqlfiles import query

PropType = Literal["string", "integer", "number", "boolean", "date", "datetime"]

CATEGORY_CODES = tuple(c.code for c in HAZARD_CATEGORIES)
CATEGORY_GROUPS = tuple(dict.fromkeys(c.group for c in HAZARD_CATEGORIES))
SEVERITIES = ("major", "general")
# 隐患状态 as of a date: open = 未整改且未逾期, overdue = 逾期未整改, rectified = 已整改.
HAZARD_STATUSES = ("open", "overdue", "rectified")
KEY_AREA_KINDS = tuple(k.value for k in KeyAreaKind)


@dataclass(frozen=True)
class ScopeUse:
    """Which filters of the scope (docs/filters.md) a layer answers, and how.

    `units`: "column" (its `unit_id`) or "area" (its shape touches the unit's boundary);
    `key_areas`: "house" (inside an area of the kind, or a 自建房 for rural_self_built),
    "point" (inside an area) or "kind" (the area's own kind); `hazards`: category, group,
    severity, department, discovery dates; `status`: the status on the as-of day; `incidents`:
    the incident type (`category`).
    """

    units: Literal["column", "area"] | None = None
    key_areas: Literal["house", "point", "kind"] | None = None
    hazards: bool = False
    status: bool = False
    incidents: bool = False


@dataclass(frozen=True)
class Prop:
    """One exposed property: its SQL column in the layer's SELECT, type and Chinese title.

    `filter` makes it a queryable (`?name=v1,v2` → IN; the scope's own filters — unit_id,
    category, severity, status, … — are parsed by the scope); `choices` whitelists values;
    `in_tiles` keeps it in vector tiles (tiles stay lean: long texts are left out).
    """

    name: str
    type: PropType
    title_zh: str
    filter: bool = False
    choices: tuple[str, ...] | None = None
    in_tiles: bool = True


@dataclass(frozen=True)
class Layer:
    """A map layer: where its rows come from and what a request may ask of it."""

    name: str
    title_zh: str
    title: str
    table: str  # the base table holding the geometry (extent, index)
    properties: tuple[Prop, ...]
    geometry_type: str = "Point"
    as_of: bool = False  # the SQL reads :as_of (the state of the campaign on that day)
    temporal: str | None = None  # property filtered by date_from / date_to / datetime
    scope: ScopeUse = ScopeUse()  # the scope's filters it answers
    sensitive: bool = False  # police-only data: responses are `Cache-Control: private`
    description: str = ""
    geometry: str = "geom"
    id_column: str = "fid"
    # Each record stands at the point of the houses it reads (if any): a change to other houses
    # cannot change a tile or a bbox page of it (the response cache's footprints, docs/cache.md).
    at_its_houses: bool = True

    @property
    def columns(self) -> tuple[str, ...]:
        """Names of the exposed properties."""
        return tuple(p.name for p in self.properties)

    @property
    def filters(self) -> dict[str, Prop]:
        """The property filters this layer accepts, by query parameter name."""
        return {p.name: p for p in self.properties if p.filter}

    def prop(self, name: str) -> Prop:
        return next(p for p in self.properties if p.name == name)

    def sql(self) -> str:
        """The layer's SELECT (from `layers/sql/<name>.sql`)."""
        return query("layers", f"sql/{self.name}.sql")


def _p(name: str, type_: PropType, zh: str, **kw) -> Prop:
    return Prop(name, type_, zh, **kw)


_UNIT_ID = _p("unit_id", "integer", "所属单位", filter=True)
_UNIT_NAME = _p("unit_name", "string", "单位名称", in_tiles=False)
_HAZARD_PROPS = (
    _p("hazard_code", "string", "隐患编号"),
    _p("house_id", "integer", "房屋", filter=True),
    _p("house_code", "string", "房屋编号"),
    _UNIT_ID,
    _UNIT_NAME,
    _p("address", "string", "地址", in_tiles=False),
    _p("category", "string", "隐患类别", filter=True, choices=CATEGORY_CODES),
    _p("category_zh", "string", "隐患类别（中文）"),
    _p("category_group", "string", "隐患大类", filter=True, choices=CATEGORY_GROUPS),
    _p("severity", "string", "隐患等级", filter=True, choices=SEVERITIES),
    _p("found_on", "date", "发现日期"),
    _p("due_on", "date", "整改期限"),
    _p("department", "string", "责任部门", filter=True, in_tiles=False),
    _p("days_overdue", "integer", "逾期天数"),
)
# A house's hazards: in its unit, in key areas through its point, and the hazard filters.
_HAZARD_SCOPE = ScopeUse(units="column", key_areas="house", hazards=True)

LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in [
        Layer(
            "units",
            "村（社区）边界",
            "Villages and communities",
            "units",
            (
                _p("name", "string", "单位名称"),
                _p("kind", "string", "类型", filter=True, choices=("village", "community")),
                _p("label_lon", "number", "标注点经度", in_tiles=False),
                _p("label_lat", "number", "标注点纬度", in_tiles=False),
            ),
            geometry_type="MultiPolygon",
        ),
        Layer(
            "key_areas",
            "重点区域",
            "Key areas",
            "key_areas",
            (
                _p("name", "string", "名称"),
                _p("kind", "string", "类型", filter=True, choices=KEY_AREA_KINDS),
                _p("kind_zh", "string", "类型（中文）"),
                _p("school_id", "integer", "学校"),
            ),
            geometry_type="MultiPolygon",
            scope=ScopeUse(units="area", key_areas="kind"),
        ),
        Layer("schools", "学校", "Schools", "schools", (_p("name", "string", "学校名称"),)),
        Layer(
            "houses",
            "群租房",
            "Group-rental houses",
            "houses",
            (
                _p("house_code", "string", "房屋编号"),
                _UNIT_ID,
                _UNIT_NAME,
                _p("address", "string", "地址", in_tiles=False),
                _p("rooms", "integer", "出租居室数"),
                _p("beds", "integer", "床位数"),
                _p("tenants", "integer", "租住人数"),
                _p("registered_tenants", "integer", "已登记租住人数"),
                _p("is_registered", "boolean", "是否登记", filter=True),
                _p("pledge_signed", "boolean", "是否签订治安责任保证书", filter=True),
                _p("cctv_installed", "boolean", "是否安装视频监控", filter=True),
                _p("cctv_retention_days", "integer", "监控保存天数"),
                _p("is_self_built", "boolean", "是否自建房", filter=True),
                _p("last_inspected_on", "date", "最近检查日期"),
                _p("geocode_method", "string", "定位方式", filter=True),
                _p("needs_review", "boolean", "待核实位置", filter=True),
                _p("has_second_landlord", "boolean", "有二房东", in_tiles=False),
                _p("second_landlord_registered", "boolean", "二房东已登记", in_tiles=False),
                _p("has_smoke_masks", "boolean", "配备防烟面罩", in_tiles=False),
                _p("has_torches", "boolean", "配备手电筒", in_tiles=False),
                _p("has_extinguishers", "boolean", "配备灭火器", in_tiles=False),
            ),
            as_of=True,
            scope=ScopeUse(units="column", key_areas="house"),
            description="Houses as recorded on as_of (their figures that day; houses first "
            "recorded later are not there yet).",
        ),
        Layer(
            "hazards",
            "安全隐患",
            "Hazards",
            "houses",
            (
                *_HAZARD_PROPS,
                _p("posted_on_wall", "boolean", "已上墙", in_tiles=False),
                _p("entered_in_system", "boolean", "已录入系统", in_tiles=False),
                _p("transferred_on", "date", "流转日期", in_tiles=False),
                _p("rectified_on", "date", "整改日期"),
                _p("verified_on", "date", "复核日期", in_tiles=False),
                _p("status", "string", "状态", filter=True, choices=HAZARD_STATUSES),
            ),
            as_of=True,
            temporal="found_on",
            scope=replace(_HAZARD_SCOPE, status=True),
            description="Hazards found on or before as_of, at their house's point; status, "
            "days_overdue and the transfer, rectification and verification dates as they stood "
            "on that day.",
        ),
        Layer(
            "overdue",
            "逾期未整改隐患",
            "Overdue hazards",
            "houses",
            _HAZARD_PROPS,
            as_of=True,
            temporal="found_on",
            scope=_HAZARD_SCOPE,
            description="Hazards not rectified by as_of whose deadline is before as_of.",
        ),
        Layer(
            "incidents",
            "警情",
            "Public-security incidents",
            "incidents",
            (
                _p("incident_code", "string", "警情编号"),
                _p("occurred_at", "datetime", "发生时间"),
                _p("occurred_on", "date", "发生日期"),
                _p("occurred_time", "string", "发生时间（本地）", in_tiles=False),
                _p("category", "string", "警情类别", filter=True, choices=INCIDENT_TYPES_ZH),
                _UNIT_ID,
                _p("address", "string", "地址", in_tiles=False),
            ),
            as_of=True,
            temporal="occurred_at",
            scope=ScopeUse(units="column", key_areas="point", incidents=True),
            sensitive=True,
            description="Incidents that occurred on or before as_of (police only).",
        ),
        Layer(
            "roads",
            "道路",
            "Roads",
            "roads",
            (
                _p("name", "string", "道路名称"),
                _p("road_class", "string", "道路等级", filter=True),
                _p("oneway", "integer", "单行"),
                _p("speed_kmh", "number", "速度 km/h"),
            ),
            geometry_type="LineString",
        ),
        Layer(
            "patrol_routes",
            "回头看巡查路线",
            "Patrol routes",
            "route_plan_routes",
            (
                _p("plan_ref", "string", "路线方案", filter=True),
                _p("plan_date", "date", "巡查日期"),
                _p("team", "integer", "组", filter=True),
                _p("stops", "integer", "站点数"),
                _p("driving_s", "number", "行车时间（秒）"),
                _p("distance_m", "number", "行车距离（米）"),
            ),
            geometry_type="LineString",
            description="Each team's road-following route of a saved review-phase plan.",
        ),
        Layer(
            "patrol_stops",
            "回头看巡查站点",
            "Patrol stops",
            "route_plan_stops",
            (
                _p("plan_ref", "string", "路线方案", filter=True),
                _p("team", "integer", "组", filter=True),
                _p("seq", "integer", "序号"),
                _p("house_id", "integer", "房屋"),
                _p("house_code", "string", "房屋编号"),
                _p("arrival", "string", "预计到达"),
                _p("departure", "string", "预计离开"),
            ),
            description="The stops of a saved review-phase plan in visiting order.",
            at_its_houses=False,  # a stop's point is on the road, its house_code from the house
        ),
        Layer(
            "addresses",
            "标准地址",
            "Standard addresses",
            "addresses",
            (_p("full_address", "string", "标准地址"), _UNIT_ID),
            scope=ScopeUse(units="column"),
        ),
    ]
}


def get_layer(name: str) -> Layer:
    """The registered layer `name`, or a NotFoundError (404)."""
    try:
        return LAYERS[name]
    except KeyError:
        raise NotFoundError(f"unknown layer {name!r} (未知图层)") from None
