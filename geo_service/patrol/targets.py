"""Choosing the places to revisit in the review phase (回头看), with priority and service time."""

from dataclasses import asdict, dataclass, field, replace
from datetime import date

from sqlalchemy import Connection, text

from geo_service.analytics.risk import RiskWeights, load_risk_weights, risk
from geo_service.domain.rules import RuleParams
from geo_service.errors import ValidationError
from geo_service.learn.ranking import fitted, method, model_scores
from geo_service.patrol.config import TARGET_KIND_ZH, RouteParams, format_hhmm
from geo_service.scope import Scope, ScopeSql, where
from geo_service.sqlfiles import render

# The learned model marks the top tenth of the scope's houses (what its back-test measures).
TOP_SHARE = 0.10


@dataclass
class Target:
    """One house to visit: why, what to check, how long it takes, when it may be visited."""

    house_id: int
    house_code: str
    address: str
    unit_name: str
    lon: float | None
    lat: float | None
    kinds: list[str]
    hazards: list[dict]
    open_major: int
    open_other: int
    risk_score: float | None
    key_areas: list[str] | None
    priority: int
    service_s: int
    time_window: tuple[int, int] | None = None
    landlord_name: str | None = field(default=None, repr=False)
    landlord_phone: str | None = field(default=None, repr=False)

    @property
    def reasons_zh(self) -> list[str]:
        return [TARGET_KIND_ZH[k] for k in self.kinds]

    def to_dict(self, with_contacts: bool = False) -> dict:
        """JSON-ready; landlord contacts only when the caller is allowed to see them."""
        d = asdict(self)
        d["reasons_zh"] = self.reasons_zh
        d["time_window"] = (
            [format_hhmm(self.time_window[0]), format_hhmm(self.time_window[1])]
            if self.time_window
            else None
        )
        if not with_contacts:
            d.pop("landlord_name")
            d.pop("landlord_phone")
        return d


def priority_of(
    kinds: list[str], n_hazards: int, p: RouteParams, risk_score: float | None = None
) -> int:
    """The highest kind's priority, + a little for every further hazard to verify, capped.

    A key-area house gains 1 per risk point above the threshold (at most 9), so the riskier
    of two key-area houses is kept first, and neither outranks an unverified fix.

    >>> from geo_service.patrol.config import load_route_params
    >>> priority_of(["overdue", "key_area"], 3, load_route_params())
    34
    >>> priority_of(["key_area"], 0, load_route_params(), risk_score=8.5)
    13
    """
    bases = [p.priority[k] for k in kinds]
    if "key_area" in kinds and risk_score is not None:
        bases.append(p.priority["key_area"] + min(9, int(risk_score - p.risk_threshold)))
    base = max(bases)
    return min(p.priority_max, base + p.priority_per_extra_hazard * max(0, n_hazards - 1))


def key_area_risk(
    conn: Connection,
    scope: Scope,
    params: RouteParams,
    rules: RuleParams,
    weights: RiskWeights | None = None,
) -> dict[int, float]:
    """House id → risk score for the key-area houses of the scope the ranking in force
    (风险排序, geo_service.learn.ranking) marks as risky on the scope's day.

    The hand weights: a score reaching the threshold. The learned model (when its back-test
    beat the weights): the scope's top decile by probability — the share the back-test
    measures — with a score of threshold + 10 × (percentile − 0.9) / 0.1, so the priority
    bump (priority_of) grows with the percentile as it grows with the points."""
    w = weights or load_risk_weights()
    model, _ = method(conn)
    if model is not None:
        frame = model_scores(conn, scope, rules, w, fitted(conn, model.version))
        if frame.empty:
            return {}
        pct = frame["score"].rank(pct=True, method="max")
        in_area = frame[[c for c in frame.columns if c.startswith("ka_")]].sum(axis=1) > 0
        keep = (pct >= 1 - TOP_SHARE) & in_area
        return {
            int(h): params.risk_threshold + 10 * (float(q) - (1 - TOP_SHARE)) / TOP_SHARE
            for h, q in zip(frame["house_id"][keep], pct[keep], strict=True)
        }
    report = risk(conn, scope, rules, w, limit=10**7, min_score=params.risk_threshold)
    scores = {
        h.house_code: h.score
        for h in report.houses
        if any(f.code == "key_area" and f.value > 0 for f in h.factors)
    }
    if not scores:
        return {}
    rows = conn.execute(
        text("SELECT id, house_code FROM houses WHERE house_code = ANY(:codes)"),
        {"codes": list(scores)},
    )
    return {r.id: scores[r.house_code] for r in rows}


def service_seconds(open_major: int, open_other: int, p: RouteParams) -> int:
    """Time at the stop: e.g. 20 min a house + 10 min per open major hazard."""
    return (
        p.service_house_s + p.service_per_major_s * open_major + p.service_per_other_s * open_other
    )


def _window(kinds: list[str], p: RouteParams) -> tuple[int, int] | None:
    # The visiting hours of the most important kind that has any.
    for kind in sorted(kinds, key=lambda k: -p.priority[k]):
        if kind in p.time_windows:
            return p.time_windows[kind]
    return None


def select_targets(
    conn: Connection,
    on: date,
    params: RouteParams,
    rules: RuleParams,
    house_ids: list[int] | tuple[int, ...] = (),
    windows: dict[int, tuple[int, int]] | None = None,
    weights: RiskWeights | None = None,
    scope: Scope | None = None,
) -> list[Target]:
    """The targets as of `on`, highest priority first; `house_ids` are added as "listed".

    `scope` (docs/filters.md) narrows the houses and hazards considered — the same hazards
    `/analytics/overdue` and the map count under it; its day is `on`."""
    scope = replace(scope, as_of=on) if scope else Scope(as_of=on)
    ids = sorted(set(house_ids))
    if ids:
        found = set(
            conn.execute(text("SELECT id FROM houses WHERE id = ANY(:ids)"), {"ids": ids}).scalars()
        )
        if missing := [i for i in ids if i not in found]:
            raise ValidationError(f"房屋不存在 (unknown house ids): {missing}")
    risky = key_area_risk(conn, scope, params, rules, weights)
    b = ScopeSql(scope, conn)
    sql = render(
        "geo_service.patrol",
        "sql/targets.sql",
        hazard_scope=where(b.hazards("z")),
        house_scope=where(b.houses("h")),
    )
    rows = conn.execute(
        text(sql),
        {
            **b.params,
            "as_of": on,
            "house_ids": ids,
            "include_unverified": params.include_unverified_fix,
            "risk_ids": list(risky),
            "risk_scores": list(risky.values()),
        },
    ).mappings()
    windows = windows or {}
    targets = []
    for r in rows:
        kinds = list(r["kinds"])
        targets.append(
            Target(
                house_id=r["house_id"],
                house_code=r["house_code"],
                address=r["address"],
                unit_name=r["unit_name"],
                lon=r["lon"],
                lat=r["lat"],
                kinds=kinds,
                hazards=list(r["hazards"]),
                open_major=r["open_major"],
                open_other=r["open_other"],
                risk_score=None if r["risk_score"] is None else float(r["risk_score"]),
                key_areas=r["key_areas"],
                priority=priority_of(kinds, len(r["hazards"]), params, r["risk_score"]),
                service_s=service_seconds(r["open_major"], r["open_other"], params),
                time_window=windows.get(r["house_id"]) or _window(kinds, params),
            )
        )
    targets.sort(key=lambda t: (-t.priority, t.house_id))
    return targets
