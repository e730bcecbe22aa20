"""The PostGIS data model (SRID 4326; CGCS2000 coordinates are stored as equal to WGS84).

Natural keys of the village templates (房屋编号, 隐患编号, 警情编号, 单位名称) are unique
columns, so an import re-run updates instead of duplicating. Personal data (ID numbers, phones)
live in columns of their own so access control can mask or hide them.
"""

from datetime import date, datetime
from typing import ClassVar

from geoalchemy2 import Geometry
from sqlalchemy import (
    CHAR,
    REAL,
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    Double,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SRID = 4326


def _geom(kind: str) -> Geometry:
    # spatial_index=False: the GiST indexes are declared explicitly, so migrations own them.
    return Geometry(kind, srid=SRID, spatial_index=False)


class Base(DeclarativeBase):
    pass


def _in(column: str, values: list[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Unit(Base):
    """单位: a village (村), community (社区) or department (部门)."""

    __tablename__ = "units"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)  # 单位名称
    kind: Mapped[str] = mapped_column(String(20))
    has_task_list: Mapped[bool | None] = mapped_column(Boolean)  # 是否制定职责任务清单
    has_annual_plan: Mapped[bool | None] = mapped_column(Boolean)  # 是否制定年度工作方案
    holds_meetings: Mapped[bool | None] = mapped_column(Boolean)  # 定期召开会议并组织自查
    accountability_evaluated: Mapped[bool | None] = mapped_column(Boolean)  # 事故责任追究评估
    geom = mapped_column(_geom("MULTIPOLYGON"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    __table_args__ = (
        CheckConstraint(_in("kind", ["village", "community", "department"]), name="unit_kind"),
        Index("ix_units_geom", "geom", postgresql_using="gist"),
    )


class KeyArea(Base):
    """重点区域: 城中村, 老旧小区, 拆迁安置小区, 农村自建房, 校园周边."""

    __tablename__ = "key_areas"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    geom = mapped_column(_geom("MULTIPOLYGON"), nullable=False)
    __table_args__ = (
        CheckConstraint(
            _in(
                "kind",
                [
                    "urban_village",
                    "old_estate",
                    "resettlement_estate",
                    "rural_self_built",
                    "campus",
                ],
            ),
            name="key_area_kind",
        ),
        Index("uq_key_areas_kind_name", "kind", "name", unique=True),
        Index("ix_key_areas_geom", "geom", postgresql_using="gist"),
    )


class School(Base):
    """学校: point sites; 校园周边 is a buffer around them."""

    __tablename__ = "schools"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    geom = mapped_column(_geom("POINT"), nullable=False)
    __table_args__ = (Index("ix_schools_geom", "geom", postgresql_using="gist"),)


class House(Base):
    """群租房: one property unit (产权单元), every field of the `群租房` template."""

    __tablename__ = "houses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    house_code: Mapped[str] = mapped_column(String(64), unique=True)  # 房屋编号
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))  # 所属单位
    address: Mapped[str] = mapped_column(Text)  # 地址
    landlord_name: Mapped[str] = mapped_column(String(100))  # 出租人
    landlord_id_number: Mapped[str | None] = mapped_column(String(32))  # 出租人证件号 (personal)
    landlord_phone: Mapped[str | None] = mapped_column(String(32))  # 出租人电话 (personal)
    second_landlord_name: Mapped[str | None] = mapped_column(String(100))  # 二房东
    second_landlord_registered: Mapped[bool | None] = mapped_column(Boolean)  # 二房东是否登记
    rooms: Mapped[int] = mapped_column(Integer)  # 出租居室数
    beds: Mapped[int] = mapped_column(Integer)  # 床位数
    tenants: Mapped[int] = mapped_column(Integer)  # 租住人数 (as found)
    registered_tenants: Mapped[int] = mapped_column(Integer)  # 已登记租住人数
    is_registered: Mapped[bool] = mapped_column(Boolean)  # 是否登记
    pledge_signed: Mapped[bool] = mapped_column(Boolean)  # 是否签订治安责任保证书
    cctv_installed: Mapped[bool | None] = mapped_column(Boolean)  # 是否安装视频监控
    cctv_retention_days: Mapped[int | None] = mapped_column(Integer)  # 监控保存天数
    is_self_built: Mapped[bool | None] = mapped_column(Boolean)  # 是否自建房
    last_inspected_on: Mapped[date | None] = mapped_column(Date)  # 最近检查日期
    # 消防器材 (fire kit rule, SPEC §3.4); NULL = not checked yet.
    has_smoke_masks: Mapped[bool | None] = mapped_column(Boolean)
    has_torches: Mapped[bool | None] = mapped_column(Boolean)
    has_extinguishers: Mapped[bool | None] = mapped_column(Boolean)
    # 是否有二房东, derived so statistics need not read the name (personal data).
    has_second_landlord: Mapped[bool] = mapped_column(
        Boolean,
        Computed("nullif(btrim(second_landlord_name), '') IS NOT NULL", persisted=True),
    )
    # Occupancy evidence for the risk model (e.g. monthly electricity use, kWh).
    electricity_kwh_month: Mapped[float | None] = mapped_column(Float)
    geom = mapped_column(_geom("POINT"), nullable=True)
    # How the point was obtained: given / exact / fuzzy / unit_centroid; low confidence => review.
    geocode_method: Mapped[str | None] = mapped_column(String(20))
    geocode_confidence: Mapped[float | None] = mapped_column(Float)
    needs_review: Mapped[bool] = mapped_column(Boolean, server_default="false")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # The day the current figures took effect (house history, docs/history.md); -infinity:
    # recorded before history began or without a date.
    valid_from: Mapped[date] = mapped_column(Date, server_default=text("'-infinity'::date"))
    __table_args__ = (
        CheckConstraint("rooms >= 0 AND beds >= 0 AND tenants >= 0", name="house_counts"),
        CheckConstraint(
            "registered_tenants >= 0 AND registered_tenants <= tenants", name="house_registered"
        ),
        CheckConstraint(
            "cctv_retention_days IS NULL OR cctv_retention_days >= 0", name="house_retention"
        ),
        CheckConstraint(
            "second_landlord_registered IS NULL OR second_landlord_name IS NOT NULL",
            name="house_second_landlord",
        ),
        CheckConstraint(
            "geocode_confidence IS NULL OR geocode_confidence BETWEEN 0 AND 1",
            name="house_geocode_confidence",
        ),
        Index("ix_houses_unit", "unit_id"),
        # A hazard's house and unit without the wide row (migration 0019, overdue.sql).
        Index("ix_houses_id_unit", "id", postgresql_include=["unit_id", "valid_from"]),
        # A unit's houses by code: the CCTV list's page order (migration 0019).
        Index("ix_houses_unit_code", "unit_id", "house_code"),
        Index("ix_houses_geom", "geom", postgresql_using="gist"),
    )


class HouseVersion(Base):
    """A house's figures for a past period [valid_from, valid_to): superseded by a later 台账 or
    sent late (docs/history.md). Written only by the history trigger on `houses`; periods of a
    house never overlap (an exclusion constraint, migration 0014)."""

    __tablename__ = "house_versions"
    house_id: Mapped[int] = mapped_column(
        ForeignKey("houses.id", ondelete="CASCADE"), primary_key=True
    )
    valid_from: Mapped[date] = mapped_column(Date, primary_key=True)
    valid_to: Mapped[date] = mapped_column(Date)
    rooms: Mapped[int] = mapped_column(Integer)
    beds: Mapped[int] = mapped_column(Integer)
    tenants: Mapped[int] = mapped_column(Integer)
    registered_tenants: Mapped[int] = mapped_column(Integer)
    is_registered: Mapped[bool] = mapped_column(Boolean)
    pledge_signed: Mapped[bool] = mapped_column(Boolean)
    has_second_landlord: Mapped[bool] = mapped_column(Boolean)
    second_landlord_registered: Mapped[bool | None] = mapped_column(Boolean)
    cctv_installed: Mapped[bool | None] = mapped_column(Boolean)
    cctv_retention_days: Mapped[int | None] = mapped_column(Integer)
    is_self_built: Mapped[bool | None] = mapped_column(Boolean)
    last_inspected_on: Mapped[date | None] = mapped_column(Date)
    has_smoke_masks: Mapped[bool | None] = mapped_column(Boolean)
    has_torches: Mapped[bool | None] = mapped_column(Boolean)
    has_extinguishers: Mapped[bool | None] = mapped_column(Boolean)
    electricity_kwh_month: Mapped[float | None] = mapped_column(Float)
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    __table_args__ = (
        CheckConstraint("valid_from < valid_to", name="house_version_period"),
        Index("ix_house_versions_valid_to", "valid_to", "valid_from"),
    )


class HazardCategoryRow(Base):
    """隐患类别 vocabulary (SPEC §3.2), seeded by the migration from `domain.vocabulary`."""

    __tablename__ = "hazard_categories"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label_zh: Mapped[str] = mapped_column(Text, unique=True)
    group_code: Mapped[str] = mapped_column(String(30))
    group_zh: Mapped[str] = mapped_column(String(30))
    default_severity: Mapped[str] = mapped_column(String(10))
    department_zh: Mapped[str] = mapped_column(String(30))
    catastrophic: Mapped[bool] = mapped_column(Boolean)


class Hazard(Base):
    """安全隐患 with its lifecycle: found → transferred (流转) → rectified (整改)."""

    __tablename__ = "hazards"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hazard_code: Mapped[str] = mapped_column(String(64), unique=True)  # 隐患编号
    house_id: Mapped[int] = mapped_column(ForeignKey("houses.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(ForeignKey("hazard_categories.code"))  # 隐患类别
    severity: Mapped[str] = mapped_column(String(10))  # 隐患等级
    found_on: Mapped[date] = mapped_column(Date)  # 发现日期
    deadline_on: Mapped[date | None] = mapped_column(Date)  # 整改期限 set by a notice
    due_on: Mapped[date] = mapped_column(Date)  # effective deadline (notice or rule)
    posted_on_wall: Mapped[bool] = mapped_column(Boolean)  # 是否上墙告知
    entered_in_system: Mapped[bool] = mapped_column(Boolean)  # 是否录入系统
    department_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))  # 流转部门
    transferred_on: Mapped[date | None] = mapped_column(Date)  # 流转日期
    rectified_on: Mapped[date | None] = mapped_column(Date)  # 整改日期
    verified_on: Mapped[date | None] = mapped_column(Date)  # 督导组复核
    description: Mapped[str | None] = mapped_column(Text)  # 隐患描述
    # The inspection that found it, where known (migration 0016).
    inspection_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspections.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    __table_args__ = (
        CheckConstraint(_in("severity", ["major", "general"]), name="hazard_severity"),
        CheckConstraint("deadline_on IS NULL OR deadline_on >= found_on", name="hazard_deadline"),
        CheckConstraint("due_on >= found_on", name="hazard_due"),
        CheckConstraint(
            "transferred_on IS NULL OR transferred_on >= found_on", name="hazard_transferred"
        ),
        CheckConstraint(
            "rectified_on IS NULL OR rectified_on >= found_on", name="hazard_rectified"
        ),
        CheckConstraint(
            "verified_on IS NULL OR (rectified_on IS NOT NULL AND verified_on >= rectified_on)",
            name="hazard_verified",
        ),
        Index("ix_hazards_house", "house_id"),
        Index("ix_hazards_open_due", "due_on", postgresql_where="rectified_on IS NULL"),
        # Not rectified on D, index-only for overdue.sql's matches (migration 0019).
        Index(
            "ix_hazards_unrectified_on",
            text("coalesce(rectified_on, 'infinity'::date)"),
            "due_on",
            postgresql_include=["found_on", "rectified_on", "house_id", "id", "hazard_code"],
        ),
        Index("ix_hazards_department", "department_id"),
        Index("ix_hazards_inspection", "inspection_id"),
    )


class RuleParams(Base):
    """The plan's rule parameters in force (one row), loaded from the town's rules file.

    `hazard_due()` and `hazard_state(d)` (migration 0009) read it; see geo_service.rulebook.
    """

    __tablename__ = "rule_params"
    id: Mapped[bool] = mapped_column(Boolean, primary_key=True, server_default=text("true"))
    major_days: Mapped[int] = mapped_column(Integer)
    general_months: Mapped[int] = mapped_column(Integer)
    cctv_min_rooms: Mapped[int] = mapped_column(Integer)
    cctv_min_beds: Mapped[int] = mapped_column(Integer)
    cctv_min_tenants: Mapped[int] = mapped_column(Integer)
    cctv_min_retention_days: Mapped[int] = mapped_column(Integer)
    campus_buffer_m: Mapped[float] = mapped_column(Double)
    fingerprint: Mapped[str] = mapped_column(Text)
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    __table_args__ = (
        CheckConstraint("id", name="rule_params_one_row"),
        CheckConstraint("major_days >= 0", name="rule_major_days"),
        CheckConstraint("general_months >= 0", name="rule_general_months"),
    )


class Incident(Base):
    """警情: a public-security incident (police only)."""

    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_code: Mapped[str] = mapped_column(String(64), unique=True)  # 警情编号
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # 发生时间
    category: Mapped[str] = mapped_column(String(30))  # 警情类别
    address: Mapped[str] = mapped_column(Text)  # 地址
    summary: Mapped[str | None] = mapped_column(Text)  # 简要案情
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    geom = mapped_column(_geom("POINT"), nullable=True)
    geocode_method: Mapped[str | None] = mapped_column(String(20))
    geocode_confidence: Mapped[float | None] = mapped_column(Float)
    needs_review: Mapped[bool] = mapped_column(Boolean, server_default="false")
    __table_args__ = (
        Index("ix_incidents_geom", "geom", postgresql_using="gist"),
        Index("ix_incidents_occurred", "occurred_at"),
    )


class Road(Base):
    """道路: lines the patrol routes follow; `oneway` 1 = only along the digitised direction."""

    __tablename__ = "roads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    road_class: Mapped[str] = mapped_column(String(20), server_default="local")
    oneway: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    speed_kmh: Mapped[float | None] = mapped_column(Float)
    source: Mapped[int | None] = mapped_column(BigInteger)  # routing topology (pgRouting)
    target: Mapped[int | None] = mapped_column(BigInteger)
    # Filled by `geo_service.patrol.network.ensure_topology`: metres, and travel seconds each
    # way (reverse_cost_s = -1 on a one-way street, pgRouting's "no edge this way").
    length_m: Mapped[float | None] = mapped_column(Float)
    cost_s: Mapped[float | None] = mapped_column(Float)
    reverse_cost_s: Mapped[float | None] = mapped_column(Float)
    geom = mapped_column(_geom("LINESTRING"), nullable=False)
    __table_args__ = (
        CheckConstraint("oneway IN (0, 1)", name="road_oneway"),
        CheckConstraint("speed_kmh IS NULL OR speed_kmh > 0", name="road_speed"),
        Index("ix_roads_geom", "geom", postgresql_using="gist"),
    )


class StandardAddress(Base):
    """标准地址 / 门牌: reference points for offline geocoding."""

    __tablename__ = "addresses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    full_address: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(Text)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    geom = mapped_column(_geom("POINT"), nullable=False)
    __table_args__ = (
        Index("uq_addresses_normalized", "normalized", unique=True),
        Index(
            "ix_addresses_trgm",
            "normalized",
            postgresql_using="gin",
            postgresql_ops={"normalized": "gin_trgm_ops"},
        ),
        Index("ix_addresses_geom", "geom", postgresql_using="gist"),
        # The geocoder's fuzzy candidates: same numbers (and unit). Migration 0007; the
        # expression must match etl/sql/geocode_candidates.sql.
        Index(
            "ix_addresses_numbers",
            text("btrim(regexp_replace(normalized, '[^0-9]+', ' ', 'g'))"),
            "unit_id",
        ),
    )


class Inspection(Base):
    """检查记录: one inspection of a house and what it found (migration 0016, docs/inspections.md).

    kind: self (自查), special (专项检查), supervision (督导), review (回头看). source: 'sheet' an
    imported 检查记录 row (natural key house + day + kind + 检查单位), 'visit' a patrol team's
    visit, 'other' anything else. found_hazard (是否发现隐患): NULL = not recorded.
    """

    __tablename__ = "inspections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    house_id: Mapped[int] = mapped_column(ForeignKey("houses.id", ondelete="CASCADE"))
    inspected_on: Mapped[date] = mapped_column(Date)  # 检查日期
    kind: Mapped[str] = mapped_column(String(20))  # 检查类型
    inspector: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(Text)  # 备注
    unit_name: Mapped[str | None] = mapped_column(String(100))  # 检查单位 as written
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    found_hazard: Mapped[bool | None] = mapped_column(Boolean)  # 是否发现隐患
    source: Mapped[str] = mapped_column(String(10), server_default="other")
    __table_args__ = (
        CheckConstraint(
            _in("kind", ["self", "special", "supervision", "review"]), name="inspection_kind"
        ),
        CheckConstraint(_in("source", ["sheet", "visit", "other"]), name="inspection_source"),
        CheckConstraint("source <> 'sheet' OR unit_name IS NOT NULL", name="inspection_sheet_unit"),
        Index("ix_inspections_house_date", "house_id", "inspected_on"),
        # the period's inspected houses, index-only (排查率 on the ledger path, docs/ledger.md)
        Index("ix_inspections_date", "inspected_on", "house_id"),
        Index("ix_inspections_unit", "unit_id"),
        Index(
            "uq_inspections_sheet_key",
            "house_id",
            "inspected_on",
            "kind",
            "unit_name",
            unique=True,
            postgresql_where=text("source = 'sheet'"),
        ),
    )


class ReviewVisit(Base):
    """回头看 visit: the outcome of one stop of a review-phase patrol route."""

    __tablename__ = "review_visits"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    house_id: Mapped[int] = mapped_column(ForeignKey("houses.id", ondelete="CASCADE"))
    hazard_id: Mapped[int | None] = mapped_column(ForeignKey("hazards.id", ondelete="SET NULL"))
    plan_ref: Mapped[str | None] = mapped_column(String(64))
    team: Mapped[str | None] = mapped_column(String(64))
    visited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(20))
    photos: Mapped[list | None] = mapped_column(JSONB)
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str | None] = mapped_column(String(100))
    __table_args__ = (
        CheckConstraint(
            _in(
                "outcome",
                [
                    "rectified",
                    "still_open",
                    "new_hazard",
                    "not_found",
                    "no_access",
                    "checked",  # 已走访, nothing to record on a hazard (migration 0010)
                    "refused",  # 拒绝入户 (migration 0010)
                ],
            ),
            name="visit_outcome",
        ),
    )


class RoutePlan(Base):
    """回头看巡查路线方案: one solved patrol plan, with the exact solver input (VROOM JSON)."""

    __tablename__ = "route_plans"
    ref: Mapped[str] = mapped_column(String(40), primary_key=True)
    plan_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[str | None] = mapped_column(String(100))
    teams: Mapped[int] = mapped_column(Integer)
    params: Mapped[dict] = mapped_column(JSONB)
    instance: Mapped[dict] = mapped_column(JSONB)  # VROOM input, re-solvable as is
    result: Mapped[dict] = mapped_column(JSONB)  # the plan as `routes plan --json` prints it
    # 发布: the teams follow the published plan of their day (one per day).
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str | None] = mapped_column(String(100))
    __table_args__ = (
        Index("ix_route_plans_date", "plan_date"),
        Index(
            "uq_route_plans_published_day",
            "plan_date",
            unique=True,
            postgresql_where=text("published_at IS NOT NULL"),
        ),
    )


class RoutePlanRoute(Base):
    """One team's road-following route of a plan (map layer)."""

    __tablename__ = "route_plan_routes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_ref: Mapped[str] = mapped_column(ForeignKey("route_plans.ref", ondelete="CASCADE"))
    team: Mapped[int] = mapped_column(Integer)
    stops: Mapped[int] = mapped_column(Integer)
    driving_s: Mapped[float] = mapped_column(Float)
    distance_m: Mapped[float] = mapped_column(Float)
    geom = mapped_column(_geom("LINESTRING"), nullable=True)
    __table_args__ = (
        Index("uq_route_plan_routes_team", "plan_ref", "team", unique=True),
        Index("ix_route_plan_routes_geom", "geom", postgresql_using="gist"),
    )


class RoutePlanStop(Base):
    """One stop of a planned route, in visiting order (map layer, visit recording)."""

    __tablename__ = "route_plan_stops"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_ref: Mapped[str] = mapped_column(ForeignKey("route_plans.ref", ondelete="CASCADE"))
    team: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    house_id: Mapped[int] = mapped_column(ForeignKey("houses.id", ondelete="CASCADE"))
    arrival_s: Mapped[int] = mapped_column(Integer)  # seconds after midnight of plan_date
    departure_s: Mapped[int] = mapped_column(Integer)
    geom = mapped_column(_geom("POINT"), nullable=True)
    __table_args__ = (
        Index("uq_route_plan_stops_seq", "plan_ref", "team", "seq", unique=True),
        Index("ix_route_plan_stops_house", "house_id"),
        Index("ix_route_plan_stops_geom", "geom", postgresql_using="gist"),
    )


class RoutePlanMember(Base):
    """队员: a user in one team of a plan (supervision group or police accounts)."""

    __tablename__ = "route_plan_members"
    plan_ref: Mapped[str] = mapped_column(
        ForeignKey("route_plans.ref", ondelete="CASCADE"), primary_key=True
    )
    username: Mapped[str] = mapped_column(
        ForeignKey("users.username", ondelete="CASCADE"), primary_key=True
    )
    team: Mapped[int] = mapped_column(Integer)
    __table_args__ = (
        CheckConstraint("team >= 1", name="route_plan_member_team"),
        Index("ix_route_plan_members_username", "username"),
    )


class FieldVisit(Base):
    """A visit sent from a team member's phone, once: `client_id` is made on the phone."""

    __tablename__ = "field_visits"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(UUID(as_uuid=False))
    username: Mapped[str] = mapped_column(String(64))
    house_id: Mapped[int] = mapped_column(ForeignKey("houses.id", ondelete="CASCADE"))
    plan_ref: Mapped[str | None] = mapped_column(
        String(40), ForeignKey("route_plans.ref", ondelete="SET NULL")
    )
    team: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    visited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    position = mapped_column(_geom("POINT"), nullable=True)
    accuracy_m: Mapped[float | None] = mapped_column(REAL)
    result: Mapped[dict | None] = mapped_column(JSONB)  # what record_visit wrote
    __table_args__ = (
        CheckConstraint(
            _in("status", ["visited", "no_access", "refused"]), name="field_visit_status"
        ),
        CheckConstraint("accuracy_m >= 0", name="field_visit_accuracy"),
        Index("uq_field_visits_client_id", "client_id", unique=True),
        Index("ix_field_visits_plan_house", "plan_ref", "house_id"),
        Index("ix_field_visits_position", "position", postgresql_using="gist"),
    )


class VisitPhoto(Base):
    """A photo of a field visit, resized on the phone; `sha256` is checked by the database."""

    __tablename__ = "visit_photos"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    field_visit_id: Mapped[int] = mapped_column(ForeignKey("field_visits.id", ondelete="CASCADE"))
    house_id: Mapped[int] = mapped_column(ForeignKey("houses.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(CHAR(64))
    media_type: Mapped[str] = mapped_column(String(20))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    __table_args__ = (
        CheckConstraint(
            _in("media_type", ["image/jpeg", "image/png", "image/webp"]), name="visit_photo_type"
        ),
        CheckConstraint("width > 0", name="visit_photo_width"),
        CheckConstraint("height > 0", name="visit_photo_height"),
        CheckConstraint("sha256 = encode(sha256(data), 'hex')", name="visit_photo_checksum"),
        CheckConstraint("bytes = octet_length(data)", name="visit_photo_bytes"),
        Index("uq_visit_photos_visit_sha", "field_visit_id", "sha256", unique=True),
        Index("ix_visit_photos_sha256", "sha256"),
        Index("ix_visit_photos_house", "house_id"),
    )


class AuditLog(Base):
    """审计日志: every write (before/after) and every read of personal data or incidents."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(30))
    table_name: Mapped[str] = mapped_column(String(50))
    record_key: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict | None] = mapped_column(JSONB)
    after: Mapped[dict | None] = mapped_column(JSONB)
    detail: Mapped[dict | None] = mapped_column(JSONB)
    __table_args__ = (Index("ix_audit_log_at", "at"),)


class Meta(Base):
    """Key–value facts about the dataset (e.g. that it is the synthetic demo town)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[dict] = mapped_column(JSONB)


class User(Base):
    """用户: a person who logs in, with one role (SPEC §1); reached only by the owner role."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(Text)  # Argon2id, never the password
    role: Mapped[str] = mapped_column(String(20))
    # village staff: their village/community; department: their department unit.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    disabled: Mapped[bool] = mapped_column(Boolean, server_default="false")
    failed_logins: Mapped[int] = mapped_column(Integer, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Bumped by logout, password change and disabling: every token issued before is void.
    token_epoch: Mapped[int] = mapped_column(Integer, server_default="0")
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    __table_args__ = (
        CheckConstraint(
            _in("role", ["admin", "leader", "supervisor", "police", "department", "village"]),
            name="user_role",
        ),
        CheckConstraint(
            "role NOT IN ('department', 'village') OR unit_id IS NOT NULL", name="user_unit"
        ),
        CheckConstraint("failed_logins >= 0", name="user_failed_logins"),
    )


class ApiKey(Base):
    """API 密钥: a user's long-lived credential for desktop GIS and scripts (access/keys.py);
    only its SHA-256 is kept. Reached by the owner role only, like `users`."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(16))  # the first characters, to tell keys apart
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[str | None] = mapped_column(String(100))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    use_count: Mapped[int] = mapped_column(BigInteger, server_default="0")


class DataVersion(Base):
    """One row: bumped at the commit of every transaction that wrote a data table."""

    __tablename__ = "data_version"
    id: Mapped[bool] = mapped_column(Boolean, primary_key=True, server_default="true")
    version: Mapped[int] = mapped_column(BigInteger, server_default="1")
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    __table_args__ = (CheckConstraint("id", name="data_version_one_row"),)


class DataChangeMark(Base):
    """A writing transaction not yet committed (the row lives only inside that transaction)."""

    __tablename__ = "data_change_marks"
    txid: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # Its footprint so far (migration 0021): global, or the box and units of the houses touched.
    is_global: Mapped[bool] = mapped_column(Boolean, server_default="true")
    extent: Mapped[list[float] | None] = mapped_column(ARRAY(Float(53)))
    unit_ids: Mapped[list[int] | None] = mapped_column(ARRAY(Integer))


class DataChange(Base):
    """The footprint of the change that made data version `version` (docs/cache.md)."""

    __tablename__ = "data_changes"
    version: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    is_global: Mapped[bool] = mapped_column(Boolean)
    extent: Mapped[list[float] | None] = mapped_column(ARRAY(Float(53)))  # west, south, east, north
    unit_ids: Mapped[list[int] | None] = mapped_column(ARRAY(Integer))


class ResponseCache(Base):
    """Cached answers of read-only endpoints, valid while `version` is the data version."""

    __tablename__ = "response_cache"
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, index=True)
    status: Mapped[int] = mapped_column(SmallInteger)
    media_type: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict] = mapped_column(JSONB, server_default="{}")
    body: Mapped[bytes] = mapped_column(LargeBinary)
    reads_incidents: Mapped[bool] = mapped_column(Boolean, server_default="false")
    compute_ms: Mapped[float | None] = mapped_column(REAL)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Its footprint, if any: valid also for later versions whose changes did not touch it.
    bounds: Mapped[list[float] | None] = mapped_column(ARRAY(Float(53)))
    unit_ids: Mapped[list[int] | None] = mapped_column(ARRAY(Integer))
    __table_args__: ClassVar = {"prefixes": ["UNLOGGED"]}


class RiskRankingRun(Base):
    """风险排序 maintained: what the rows of one method and audience were computed from, and
    when (docs/analytics.md, migration 0017)."""

    __tablename__ = "risk_ranking_runs"
    method: Mapped[str] = mapped_column(Text, primary_key=True)
    audience: Mapped[str] = mapped_column(Text, primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    inputs_fingerprint: Mapped[str] = mapped_column(Text)
    data_version: Mapped[int] = mapped_column(BigInteger)
    houses_scored: Mapped[int] = mapped_column(Integer)
    took_ms: Mapped[int] = mapped_column(Integer)
    __table_args__ = (
        CheckConstraint(
            _in("audience", ["exact", "coarse", "none"]), name="risk_ranking_runs_audience_check"
        ),
    )


class RiskRanking(Base):
    """One house's risk score under a method, for an audience (how much of the incidents it
    may reflect); derived, so UNLOGGED. The rank is the index order (score, house code)."""

    __tablename__ = "risk_ranking"
    method: Mapped[str] = mapped_column(Text, primary_key=True)
    audience: Mapped[str] = mapped_column(Text, primary_key=True)
    house_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    house_code: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Double)
    factors: Mapped[dict] = mapped_column(JSONB)
    __table_args__ = (
        Index("ix_risk_ranking_order", "method", "audience", text("score DESC"), "house_code"),
        {"prefixes": ["UNLOGGED"]},
    )


class ImportJob(Base):
    """上报: one upload request (one or more files), its options and progress (docs/upload.md)."""

    __tablename__ = "import_jobs"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Touched while the job waits or runs: a job whose server stopped is seen as interrupted.
    heartbeat_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    username: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    accept_valid: Mapped[bool] = mapped_column(Boolean)  # 只导入正确的行
    crs: Mapped[str | None] = mapped_column(String(10))
    effective: Mapped[date | None] = mapped_column(Date)  # 台账日期 (docs/history.md)
    status: Mapped[str] = mapped_column(String(10), server_default="queued")
    percent: Mapped[float] = mapped_column(REAL, server_default="0")
    stage: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        CheckConstraint(
            _in("status", ["queued", "running", "done", "failed"]), name="import_job_status"
        ),
    )


class ImportFile(Base):
    """One uploaded file, kept (with its SHA-256), its result and its 错误报告 workbook."""

    __tablename__ = "import_files"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("import_jobs.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(SmallInteger)
    file_name: Mapped[str] = mapped_column(Text)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    outcome: Mapped[str | None] = mapped_column(String(12))
    result: Mapped[dict | None] = mapped_column(JSONB)
    report: Mapped[bytes | None] = mapped_column(LargeBinary)
    __table_args__ = (
        CheckConstraint(
            _in("outcome", ["imported", "partial", "rolled_back", "failed"]),
            name="import_file_outcome",
        ),
        UniqueConstraint("job_id", "seq", name="uq_import_files_job_seq"),
    )


class RiskModel(Base):
    """学习模型: one fit of the risk model with its back-test (migration 0018, docs/risk.md).

    `model` is joblib bytes: only the owner's `geo-service risk train` writes them."""

    __tablename__ = "risk_models"
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    algorithm: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(10))
    features: Mapped[list] = mapped_column(JSONB)
    train_from: Mapped[date] = mapped_column(Date)
    train_to: Mapped[date] = mapped_column(Date)
    n_train: Mapped[int] = mapped_column(Integer)
    n_positive: Mapped[int] = mapped_column(Integer)
    metrics: Mapped[dict] = mapped_column(JSONB)
    beats_weights: Mapped[bool] = mapped_column(Boolean)
    model: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(CHAR(64))
    active: Mapped[bool] = mapped_column(Boolean, server_default="false")
    __table_args__ = (
        CheckConstraint(_in("algorithm", ["logistic", "gbm"]), name="risk_model_algorithm"),
        CheckConstraint(_in("label", ["any", "major"]), name="risk_model_label"),
        CheckConstraint("train_from <= train_to", name="risk_model_window"),
        CheckConstraint("sha256 = encode(sha256(model), 'hex')", name="risk_model_checksum"),
        Index("uq_risk_models_active", "active", unique=True, postgresql_where=text("active")),
    )
