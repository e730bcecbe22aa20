"""The model's features, as they stood on each inspection day (sql/features.sql).

One statement describes any number of (house, day) events: the past inspections for training
and the back-test, or every house on the day after D for the ranking. Each feature uses only
what was recorded strictly before the event's day.
"""

import math
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Connection, text

from geo_service.analytics.common import fragments
from geo_service.analytics.common import params as scope_params
from geo_service.analytics.risk import RiskWeights
from geo_service.domain.rules import RuleParams
from geo_service.scope import Scope, ScopeSql
from geo_service.sqlfiles import query

# (column, Chinese label) of every feature the model sees, in the model's order.
FEATURES: tuple[tuple[str, str], ...] = (
    ("rooms", "出租居室数"),
    ("beds", "床位数"),
    ("tenants", "租住人数"),
    ("tenants_per_room", "每居室租住人数"),
    ("tenants_per_bed", "每床位租住人数"),
    ("unregistered_tenants", "未登记租住人数"),
    ("unregistered_share", "未登记人员占比"),
    ("kwh_vs_registered", "用电量与登记人数之比"),
    ("kwh_missing", "无用电数据"),
    ("self_built", "农村自建房"),
    ("cctv_violation", "视频监控不符合规定"),
    ("no_pledge", "未签订治安责任保证书"),
    ("not_registered", "房屋未登记"),
    ("second_landlord_unregistered", "二房东未登记"),
    ("fire_kit_missing", "消防器材缺失项数"),
    ("ka_urban_village", "位于城中村"),
    ("ka_old_estate", "位于老旧小区"),
    ("ka_resettlement_estate", "位于拆迁安置小区"),
    ("ka_rural_self_built", "位于农村自建房区域"),
    ("ka_campus", "位于校园周边"),
    ("hz_past", "以往隐患数"),
    ("hz_past_90d", "近90天发现隐患数"),
    ("hz_past_365d", "近一年发现隐患数"),
    ("hz_past_major", "以往重大隐患数"),
    ("hz_past_house", "以往房屋安全类隐患"),
    ("hz_past_fire", "以往消防安全类隐患"),
    ("hz_past_security", "以往安防设施类隐患"),
    ("hz_past_public_security", "以往治安类隐患"),
    ("hz_past_power", "以往供电类隐患"),
    ("hz_open", "未整改隐患数"),
    ("hz_open_major", "未整改重大隐患数"),
    ("hz_overdue", "逾期未整改隐患数"),
    ("hz_dangerous_open", "危房隐患未整改"),
    ("days_since_hazard", "距上次发现隐患天数"),
    ("inspections_past", "以往检查次数"),
    ("inspections_past_hits", "以往检查发现隐患次数"),
    ("days_since_inspection", "距上次检查天数"),
    ("hazards_nearby_180d", "周边200米近半年隐患数"),
    ("incidents_cell_3m", "所在网格近三个整月警情"),
    ("nearby_hit_rate", "周边200米近半年检查发现率"),
    ("unit_hit_rate", "所属村社区以往检查发现率"),
    ("inspector_hit_rate", "检查单位以往发现率"),
)
FEATURE_NAMES: tuple[str, ...] = tuple(c for c, _ in FEATURES)
FEATURE_ZH: dict[str, str] = dict(FEATURES)
INCIDENT_FEATURES = frozenset({"incidents_cell_3m"})
# About the inspection, not the house: when ranking, every house gets the town's average
# inspection, so these never explain why one house outranks another.
INSPECTION_FEATURES = frozenset({"inspector_hit_rate"})
NEIGHBOUR_RADIUS_M = 200.0
_EARTH_M_PER_DEG = 111_320.0


def _radius_deg(metres: float, lat: float = 31.7) -> float:
    # A degree of longitude shrinks with latitude: widen the box accordingly.
    return metres / (_EARTH_M_PER_DEG * math.cos(math.radians(min(abs(lat), 80.0))))


def _rule_params(rules: RuleParams) -> dict[str, Any]:
    return {
        "cctv_min_rooms": rules.cctv_min_rooms,
        "cctv_min_beds": rules.cctv_min_beds,
        "cctv_min_tenants": rules.cctv_min_tenants,
        "cctv_min_retention_days": rules.cctv_min_retention_days,
    }


def _frame(conn: Connection, sql: str, params: dict[str, Any]) -> pd.DataFrame:
    conn.execute(text("SELECT set_config('work_mem', '64MB', true)"))
    result = conn.execute(text(sql), params)
    frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    for c in FEATURE_NAMES:
        if c in frame:
            frame[c] = frame[c].astype(float)
    return frame


def _common(rules: RuleParams, weights: RiskWeights) -> dict[str, Any]:
    w = weights.params()
    return _rule_params(rules) | {
        "kwh_base": w["kwh_base"],
        "kwh_per_tenant": w["kwh_per_tenant"],
        "nb_radius_m": NEIGHBOUR_RADIUS_M,
        "nb_radius_deg": _radius_deg(NEIGHBOUR_RADIUS_M),
    }


def inspection_features(conn: Connection, rules: RuleParams, weights: RiskWeights) -> pd.DataFrame:
    """Every past inspection event with its features and outcome (found_any, found_major)."""
    events = query("geo_service.learn", "sql/_events_inspections.sql")
    sql = query("geo_service.learn", "sql/features.sql").replace("{{events}}", events)
    return _frame(conn, sql, _common(rules, weights))


def house_features(
    conn: Connection, scope: Scope, rules: RuleParams, weights: RiskWeights
) -> pd.DataFrame:
    """Every house of the scope described as for an inspection on the day after D (so all
    recorded by D counts), with house_code, unit and place for the ranking."""
    b = ScopeSql(scope, conn)
    events = query("geo_service.learn", "sql/_events_houses.sql")
    sql = query("geo_service.learn", "sql/features.sql").replace("{{events}}", events)
    sql = sql.replace("{{house_scope}}", fragments(b)["house_scope"])
    params = _common(rules, weights) | scope_params(scope, rules) | b.params
    return _frame(conn, sql, params)


def one_house_features(
    conn: Connection, house_code: str, as_of: date, rules: RuleParams, weights: RiskWeights
) -> pd.DataFrame:
    """One house (by 房屋编号) described as for an inspection on the day after `as_of`."""
    events = query("geo_service.learn", "sql/_events_houses.sql")
    sql = query("geo_service.learn", "sql/features.sql").replace("{{events}}", events)
    sql = sql.replace("{{house_scope}}", "h.house_code = :house_code")
    params = _common(rules, weights) | {"as_of": as_of, "house_code": house_code}
    return _frame(conn, sql, params)


def weights_scores(conn: Connection, rules: RuleParams, weights: RiskWeights) -> pd.DataFrame:
    """The hand weights' score of every past inspection's house on the evening before
    (event_id, score): what the weights would have ranked it by. Owner only (exact incidents)."""
    sql = query("geo_service.learn", "sql/weights_asof.sql")
    params = _rule_params(rules) | weights.params()
    result = conn.execute(text(sql), params)
    return pd.DataFrame(result.fetchall(), columns=["event_id", "score"]).astype({"score": float})
