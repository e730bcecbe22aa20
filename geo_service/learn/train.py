"""`geo-service risk train | backtest`: describe the history, back-test, fit, store."""

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Connection

from geo_service.analytics.risk import RiskWeights
from geo_service.domain.rules import RuleParams
from geo_service.learn import store
from geo_service.learn.backtest import backtest, enough
from geo_service.learn.features import inspection_features, weights_scores
from geo_service.learn.model import ALGORITHMS, LABELS, fit


def history(conn: Connection, rules: RuleParams, weights: RiskWeights) -> pd.DataFrame:
    """Every past inspection with its features, outcome and the weights' score on its eve."""
    frame = inspection_features(conn, rules, weights)
    scores = weights_scores(conn, rules, weights)
    return frame.merge(scores.rename(columns={"score": "weights_score"}), on="event_id")


def run_backtest(
    frame: pd.DataFrame, label: str = "any", months: int = 6,
    algorithms: tuple[str, ...] = ALGORITHMS,
) -> dict:  # fmt: skip
    """The back-test of `frame` (from `history`)."""
    weights = frame[["event_id", "weights_score"]].rename(columns={"weights_score": "score"})
    return backtest(frame.drop(columns="weights_score"), weights, label, months, algorithms)


@dataclass
class TrainResult:
    version: int | None
    active: bool
    reason_zh: str
    result: dict


def train(
    conn: Connection, rules: RuleParams, weights: RiskWeights, label: str = "any",
    months: int = 6,
) -> TrainResult:  # fmt: skip
    """Back-test both algorithms, fit the better on the whole history and store it; it becomes
    the active model only when its back-test beats the hand weights."""
    frame = history(conn, rules, weights)
    if why := enough(frame, label):
        return TrainResult(None, False, why + "，继续使用人工权重", {})
    result = run_backtest(frame, label, months)
    best = result["best"]
    if best is None:
        reasons = "；".join(f"{s['month']} {s['reason']}" for s in result["skipped"])
        return TrainResult(None, False, f"无法回测（{reasons}），继续使用人工权重", result)
    fitted = fit(frame, label, best)
    days: list[date] = list(frame["day"])
    version = store.save(
        conn,
        fitted,
        label=label,
        train_from=min(days),
        train_to=max(days),
        n_train=len(frame),
        n_positive=int(frame[LABELS[label]].sum()),
        metrics=result,
        beats_weights=result["beats_weights"],
        activate=result["beats_weights"],
    )
    m, w = result["mean"]["models"][best], result["mean"]["weights"]
    verdict = (
        f"前10%查准率 {m['precision_top10']:.1%}，人工权重 {w['precision_top10']:.1%}，"
        f"随机 {result['mean']['base_rate']:.1%}"
    )
    if result["beats_weights"]:
        return TrainResult(version, True, f"回测胜过人工权重（{verdict}），已启用", result)
    return TrainResult(version, False, f"回测未胜过人工权重（{verdict}），未启用", result)
