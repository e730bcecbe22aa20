"""The ranking every surface uses (`geo-service risk`, /analytics/risk, the map's risk view, the
patrol targets): the active learned model when its back-test beat the hand weights, else the
weights — and which one answered, and why (方法).
"""

from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Connection, text

from geo_service.access.readable import SUPPRESSED_BELOW, incident_detail
from geo_service.analytics.common import echo
from geo_service.analytics.risk import RiskWeights, risk
from geo_service.analytics.schemas import RiskFactor, RiskHouse, RiskMethod, RiskReport
from geo_service.domain.rules import RuleParams
from geo_service.errors import ValidationError
from geo_service.learn import store
from geo_service.learn.backtest import MIN_INSPECTIONS, MIN_POSITIVES
from geo_service.learn.features import (
    FEATURE_ZH,
    INCIDENT_FEATURES,
    INSPECTION_FEATURES,
    house_features,
    one_house_features,
)
from geo_service.learn.model import Fitted
from geo_service.scope import Scope
from geo_service.sqlfiles import query

# Counting the history reads every inspection (1.7 s at city scale) and its answer moves only
# when data are written: kept per database, role and unit until data_version moves on.
_SIZES: dict[tuple, tuple[int, int]] = {}


def _history_size(conn: Connection) -> tuple[int, int]:
    who = conn.execute(
        text(
            "SELECT v.version, current_setting('app.user_role', true), "
            "current_setting('app.unit_id', true) FROM data_version v"
        )
    ).one()
    key = (conn.engine.url.render_as_string(hide_password=True), *who)
    if key in _SIZES:
        return _SIZES[key]
    sql = query("geo_service.learn", "sql/_outcomes.sql")
    # The events train would learn from: those whose outcome was recorded.
    r = conn.execute(
        text(
            f"SELECT count(*), count(*) FILTER (WHERE found_any) FROM ({sql}) o "
            "WHERE found_any IS NOT NULL"
        )
    )
    n, pos = r.one()
    if len(_SIZES) >= 64:
        _SIZES.clear()
    _SIZES[key] = (int(n), int(pos))
    return _SIZES[key]


def method(conn: Connection) -> tuple[store.StoredModel | None, RiskMethod]:
    """The active model (None: the weights) and the method line saying why."""
    model = store.active(conn)
    if model is not None:
        m = model.metrics["mean"]
        best = m["models"][model.algorithm]
        return model, RiskMethod(
            code="model",
            label_zh=f"学习模型 v{model.version}",
            model_version=model.version,
            reason_zh=(
                f"回测（近{len(model.metrics['folds'])}个月）前10%查准率 "
                f"{best['precision_top10']:.1%}，高于人工权重 "
                f"{m['weights']['precision_top10']:.1%}（随机 {m['base_rate']:.1%}）"
            ),
        )
    if (latest := store.latest(conn)) is not None:
        # A stored fit had enough history (train stores none otherwise): it lost to the weights.
        why = f"学习模型 v{latest.version} 回测未胜过人工权重，使用人工权重"
    else:
        # Never trained, or too little to train on: count (only then) to say which.
        n, pos = _history_size(conn)
        if n < MIN_INSPECTIONS or pos < MIN_POSITIVES:
            why = (
                f"检查记录不足（{n} 次检查、{pos} 次发现隐患；学习模型至少需 {MIN_INSPECTIONS} 次"
                f"检查、{MIN_POSITIVES} 次发现），使用人工权重"
            )
        else:
            why = "尚未训练学习模型（geo-service risk train），使用人工权重"
    return None, RiskMethod(code="weights", label_zh="人工权重", reason_zh=why)


# The features listed per ranked house: those that moved its score most, either way (all 42
# for 10,000 houses would be a 60 MB answer); `geo-service risk explain HOUSE` lists every one.
MAX_FACTORS = 12

# A version's bytes never change (a new fit is a new version): load each once per process.
_LOADED: dict[tuple[str, int], Fitted] = {}


def fitted(conn: Connection, version: int) -> Fitted:
    """The fitted estimator of `version`, loaded once per database and process."""
    key = (conn.engine.url.render_as_string(hide_password=True), version)
    if key not in _LOADED:
        if len(_LOADED) >= 4:
            _LOADED.clear()
        _LOADED[key] = store.load(conn, version)
    return _LOADED[key]


def _detail(code: str, value: float, detail: str) -> str:
    if code in INCIDENT_FEATURES:
        if detail == "none":
            return "本角色不查看警情 (incidents are not shown to this role)"
        return (
            f"所在网格近三个整月警情 {value:g} 起（按整月统计，少于 {SUPPRESSED_BELOW} 起记为 0）"
        )
    if value == int(value):
        return f"{FEATURE_ZH[code]}：{value:g}"
    return f"{FEATURE_ZH[code]}：{value:.2f}"


def explain_rows(fit: Fitted, frame: pd.DataFrame, incidents: str) -> list[list[RiskFactor]]:
    """Per row, every feature's contribution (log-odds: + raised, − lowered the score)."""
    contrib = fit.contributions(frame)
    out = []
    for i in range(len(frame)):
        factors = []
        for j, code in enumerate(fit.features):
            if code in INCIDENT_FEATURES and incidents == "none":
                continue  # not this role's to know, not even as a contribution
            if code in INSPECTION_FEATURES:
                continue
            v = float(frame[code].iloc[i])
            factors.append(
                RiskFactor(
                    code=code,
                    label_zh=FEATURE_ZH[code],
                    value=v,
                    points=round(float(contrib[i, j]), 4),
                    detail=_detail(code, v, incidents),
                )
            )
        out.append(factors)
    return out


def _houses(conn: Connection, ids: list[int]) -> dict[int, dict]:
    rows = conn.execute(
        text(
            "SELECT h.id, h.house_code, u.name AS unit_name, h.address, ST_X(h.geom) AS lon, "
            "ST_Y(h.geom) AS lat FROM houses h JOIN units u ON u.id = h.unit_id "
            "WHERE h.id = ANY(:ids)"
        ),
        {"ids": ids},
    ).mappings()
    return {r["id"]: dict(r) for r in rows}


def model_scores(
    conn: Connection, scope: Scope, rules: RuleParams, weights: RiskWeights, fit: Fitted
) -> pd.DataFrame:
    """Every house of the scope with its features and the model's P(hazard found) if it were
    inspected on the day after D (column `score`), highest first. The function a maintained
    ranking table can be filled from."""
    frame = house_features(conn, scope, rules, weights)
    frame["score"] = fit.predict(frame) if len(frame) else np.array([])
    return frame.sort_values(["score", "house_id"], ascending=[False, True]).reset_index(drop=True)


def ranked(
    conn: Connection,
    scope: Scope,
    rules: RuleParams,
    weights: RiskWeights,
    limit: int = 100,
    min_score: float | None = None,
) -> RiskReport:
    """The `limit` riskiest houses on D by the method in force, with the method and why.
    `min_score` is in the method's own unit (weights' points, or the model's probability)."""
    model, how = method(conn)
    if model is None:
        report = risk(conn, scope, rules, weights, limit=limit, min_score=min_score)
        return report.model_copy(update={"method": how})
    if limit < 1:
        raise ValidationError("limit 必须为正整数 must be ≥ 1")
    fit = fitted(conn, model.version)
    frame = model_scores(conn, scope, rules, weights, fit)
    scored = len(frame)
    if min_score is not None:
        frame = frame[frame["score"] >= min_score]
    top = frame.head(limit)
    info = _houses(conn, [int(i) for i in top["house_id"]])
    factors = explain_rows(fit, top, incident_detail(conn)) if len(top) else []
    houses = []
    for rank, (row, fs) in enumerate(zip(top.itertuples(), factors, strict=True), start=1):
        h = info[int(row.house_id)]
        up = sorted((f for f in fs if f.points > 0), key=lambda f: -f.points)
        houses.append(
            RiskHouse(
                rank=rank,
                house_code=h["house_code"],
                unit=h["unit_name"],
                address=h["address"],
                score=round(float(row.score), 4),
                top_factors=up[: weights.top_factors],
                factors=sorted(fs, key=lambda f: -abs(f.points))[:MAX_FACTORS],
                lon=h["lon"],
                lat=h["lat"],
            )
        )
    return RiskReport(
        filters=echo(conn, scope),
        weights=weights.raw,
        houses_scored=scored,
        houses=houses,
        method=how,
        # The maintained table holds the weights' ranking; the model's is computed now.
        computed_at=conn.execute(text("SELECT now()")).scalar_one(),
        maintained=False,
        stale=False,
    )


def explain(
    conn: Connection, house_code: str, as_of: date, rules: RuleParams, weights: RiskWeights
) -> dict:
    """Why the model scores this house as it does on D: its probability, and every feature that
    raised or lowered it (Chinese labels), largest first. The active model, else the newest."""
    model, how = method(conn)
    stored = model or store.latest(conn)
    if stored is None:
        raise ValidationError(
            "尚无学习模型，请先运行 geo-service risk train (no model trained yet)"
        )
    frame = one_house_features(conn, house_code, as_of, rules, weights)
    if frame.empty:
        raise ValidationError(f"未找到房屋 {house_code} (no such house)")
    fit = fitted(conn, stored.version)
    p = float(fit.predict(frame)[0])
    factors = explain_rows(fit, frame, incident_detail(conn))[0]
    factors.sort(key=lambda f: -abs(f.points))
    return {
        "house_code": house_code,
        "as_of": as_of,
        "model_version": stored.version,
        "algorithm": stored.algorithm,
        "active": stored.active,
        "method": how,
        "probability": round(p, 4),
        "raised": [f for f in factors if f.points > 0],
        "lowered": [f for f in factors if f.points < 0],
    }
