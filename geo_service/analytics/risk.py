"""Risk ranking (风险排序) of houses for targeting inspections: an explainable weighted score.

score = Σ weight × min(value, cap) over the factors of `risk_weights.toml`. The SQL
(`sql/risk.sql`) computes every factor's value and points for all houses in one query (key-area
membership by ST_Intersects, incidents by ST_DWithin) and returns the top houses; this module
only labels the factors and picks each house's top contributors.
"""

import math
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from geo_service.access.readable import (
    FIXED_SIZE_M,
    SUPPRESSED_BELOW,
    IncidentDetail,
    incident_detail,
)
from geo_service.analytics import risk_table
from geo_service.analytics.common import echo
from geo_service.analytics.common import run as run_sql
from geo_service.analytics.schemas import RiskFactor, RiskHouse, RiskReport
from geo_service.domain.rules import RuleParams
from geo_service.domain.vocabulary import KEY_AREA_KIND_ZH, KeyAreaKind
from geo_service.errors import ValidationError
from geo_service.scope import Scope

# (code, Chinese label); `key_area` and `electricity` have parameters of their own.
FACTORS: tuple[tuple[str, str], ...] = (
    ("open_major_hazards", "未整改重大隐患"),
    ("overdue_hazards", "逾期未整改隐患"),
    ("cctv_violation", "视频监控不符合规定"),
    ("fire_kit_missing", "消防器材缺失"),
    ("key_area", "位于重点区域"),
    ("self_built", "农村自建房"),
    ("dangerous_house", "危险房屋"),
    ("tenant_gap", "租住人员未登记"),
    ("incidents", "周边警情"),
    ("electricity", "用电量异常偏高"),
)
_EARTH_M_PER_DEG = 111_320.0


@dataclass(frozen=True)
class RiskWeights:
    raw: dict[str, Any]

    @property
    def top_factors(self) -> int:
        return int(self.raw.get("top_factors", 3))

    def params(self, as_of_lat: float = 31.7) -> dict[str, Any]:
        """Bound parameters of `sql/risk.sql`."""
        r = self.raw
        p: dict[str, Any] = {}
        for code, _ in FACTORS:
            if code in ("key_area",):
                continue
            p[f"w_{code}"] = float(r[code]["weight"])
            p[f"c_{code}"] = float(r[code].get("cap", math.inf))
        kinds = [k.value for k in KeyAreaKind]
        p["ka_kinds"] = kinds
        p["ka_weights"] = [float(r["key_area"].get(k, 0.0)) for k in kinds]
        inc, el = r["incidents"], r["electricity"]
        p["radius_m"] = float(inc["radius_m"])
        # A degree of longitude shrinks with latitude: widen the prefilter box accordingly.
        p["radius_deg"] = float(inc["radius_m"]) / (
            _EARTH_M_PER_DEG * math.cos(math.radians(min(abs(as_of_lat), 80.0)))
        )
        p["incident_days"] = int(inc["days"])
        # Counting stops at the cap: more incidents add no points.
        p["incidents_limit"] = None if math.isinf(p["c_incidents"]) else math.ceil(p["c_incidents"])
        p["kwh_base"] = float(el["base_kwh"])
        p["kwh_per_tenant"] = float(el["kwh_per_tenant"])
        p["kwh_threshold"] = float(el["threshold_ratio"])
        return p


def load_risk_weights(path: Path | None = None) -> RiskWeights:
    """Read the weights file, or the packaged `risk_weights.toml`."""
    try:
        text = (
            path.read_text(encoding="utf-8")
            if path
            else resources.files("geo_service.analytics")
            .joinpath("risk_weights.toml")
            .read_text("utf-8")
        )
        weights = RiskWeights(tomllib.loads(text))
        weights.params()
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as e:
        raise ValidationError(f"风险权重文件无效 invalid risk weights file {path}: {e}") from None
    return weights


@dataclass(frozen=True)
class IncidentsSeen:
    """What the caller's role may know of incidents (access.readable.incident_detail) and, for
    the coarse roles, the whole months counted."""

    detail: IncidentDetail
    months: tuple[date | None, date] | None = None


def _incidents_text(v: int, w: RiskWeights, seen: IncidentsSeen) -> str:
    inc = w.raw["incidents"]
    at_least = "至少 " if v >= inc.get("cap", math.inf) else ""
    if seen.detail == "none":
        return "本角色不查看警情 (incidents are not shown to this role)"
    if seen.detail == "coarse" and seen.months:
        since, until = seen.months
        return (
            f"所在 {FIXED_SIZE_M:g} 米网格 {since:%Y-%m}–{until:%Y-%m} 警情 {at_least}{v} 起"
            f"（按整月统计，少于 {SUPPRESSED_BELOW} 起记为 0）"
        )
    return f"{inc['radius_m']} 米内近 {inc['days']} 天警情 {at_least}{v} 起"


def _detail(code: str, row: dict[str, Any], w: RiskWeights, seen: IncidentsSeen) -> str:
    v = row[f"v_{code}"] if code != "key_area" else None
    match code:
        case "open_major_hazards":
            return f"{v} 处重大隐患未整改"
        case "overdue_hazards":
            return f"{v} 处隐患逾期未整改"
        case "cctv_violation":
            return "应安装视频监控但未安装、不能正常使用或保存不足规定天数"
        case "fire_kit_missing":
            return f"缺少 {v} 类消防器材"
        case "key_area":
            return "、".join(KEY_AREA_KIND_ZH[KeyAreaKind(k)] for k in row["key_area_kinds"])
        case "self_built":
            return "农村自建房"
        case "dangerous_house":
            return "经鉴定属于危险房屋的隐患未整改"
        case "tenant_gap":
            return f"{v} 名租住人员未登记"
        case "incidents":
            return _incidents_text(v, w, seen)
        case _:
            kwh, exp = row["kwh"], row["kwh_expected"]
            if kwh is None:
                return "无用电数据"
            return f"月用电 {kwh:.0f} kWh，登记人数可解释约 {exp:.0f} kWh（{kwh / exp:.1f} 倍）"


def _factors(row: dict[str, Any], w: RiskWeights, seen: IncidentsSeen) -> list[RiskFactor]:
    out = []
    for code, label in FACTORS:
        value = len(row["key_area_kinds"]) if code == "key_area" else row[f"v_{code}"]
        out.append(
            RiskFactor(
                code=code,
                label_zh=label,
                value=float(value),
                points=round(float(row[f"p_{code}"]), 4),
                detail=_detail(code, row, w, seen),
            )
        )
    return out


def _incidents_seen(conn: Connection, since: date, as_of: date) -> IncidentsSeen:
    detail = incident_detail(conn)
    if detail != "coarse":
        return IncidentsSeen(detail)
    # The months incident_counts_near() counts for this role (migration 0010).
    months = conn.execute(
        text("SELECT since, until FROM incident_months(CAST(:a AS date), :s, CAST(:a AS date))"),
        {"a": as_of, "s": since},
    ).one()
    return IncidentsSeen(detail, (months.since, months.until))


def risk(
    conn: Connection,
    scope: Scope,
    rules: RuleParams,
    weights: RiskWeights,
    limit: int = 100,
    min_score: float | None = None,
) -> RiskReport:
    """The `limit` highest-risk houses on D (only those scoring at least `min_score`, when
    given), each with its factors and top contributors: from the maintained ranking when it
    answers the question (risk_table), else computed live."""
    if limit < 1:
        raise ValidationError("limit 必须为正整数 must be ≥ 1")
    params = weights.params()
    fp = risk_table.fingerprint(params, rules)
    params["incidents_since"] = scope.as_of - timedelta(days=params.pop("incident_days") - 1)
    seen = _incidents_seen(conn, params["incidents_since"], scope.as_of)
    audience = risk_table.AUDIENCE_OF_DETAIL[seen.detail]
    run = risk_table.answers(conn, scope, audience, fp)
    if run is not None:
        rows, scored = risk_table.served(conn, scope, audience, run, limit, min_score)
        computed_at, stale = run.computed_at, run.stale
    else:
        rows = list(run_sql(conn, "risk.sql", scope, rules, limit=limit, min_score=min_score,
                            **params))  # fmt: skip
        scored = rows[0]["houses_scored"] if rows else 0
        computed_at, stale = _now(conn), False
    houses = []
    for rank, row in enumerate(rows, start=1):
        factors = _factors(row, weights, seen)
        top = sorted((f for f in factors if f.points > 0), key=lambda f: -f.points)
        houses.append(
            RiskHouse(
                rank=rank,
                house_code=row["house_code"],
                unit=row["unit_name"],
                address=row["address"],
                score=round(float(row["score"]), 4),
                top_factors=top[: weights.top_factors],
                factors=factors,
                lon=row["lon"],
                lat=row["lat"],
            )
        )
    return RiskReport(
        filters=echo(conn, scope),
        weights=weights.raw,
        houses_scored=scored,
        houses=houses,
        computed_at=computed_at,
        maintained=run is not None,
        stale=stale,
    )


def _now(conn: Connection) -> datetime:
    return conn.execute(text("SELECT now()")).scalar_one()
