"""Back-test over time: for each of the last months M, train on the inspections before M and
rank the inspections of M; compare with random (the base rate) and with the hand weights
scored as of each inspection's eve (docs/risk.md).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sklearn.metrics import brier_score_loss, roc_auc_score

from geo_service.learn.model import ALGORITHMS, LABELS, fit

# Too little history to learn from: below these, the ranking stays on the weights.
MIN_INSPECTIONS = 300
MIN_POSITIVES = 30
TOP_SHARES = (0.10, 0.20)
RELIABILITY_BINS = 10


def top_precision(scores: np.ndarray, y: np.ndarray, share: float) -> float:
    """Share of hazards found among the top `share` of events by score; ties at the cut are
    counted at their average (the expected value when a tie is broken at random).

    >>> top_precision(np.array([3, 2, 2, 1.0]), np.array([1, 1, 0, 0]), 0.5)
    0.75
    """
    n = len(scores)
    k = max(1, round(share * n))
    order = np.argsort(-scores, kind="stable")
    cut = scores[order[k - 1]]
    above = scores > cut
    tied = scores == cut
    need = k - above.sum()
    hits = y[above].sum() + need * y[tied].mean()
    return float(hits / k)


def _auc(scores: np.ndarray, y: np.ndarray) -> float | None:
    return float(roc_auc_score(y, scores)) if 0 < y.sum() < len(y) else None


def reliability(p: np.ndarray, y: np.ndarray, bins: int = RELIABILITY_BINS) -> list[dict]:
    """Predicted against observed rate per bin of predicted probability."""
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    out = []
    for b in range(bins):
        m = idx == b
        if m.any():
            out.append(
                {
                    "from": round(float(edges[b]), 2),
                    "to": round(float(edges[b + 1]), 2),
                    "n": int(m.sum()),
                    "predicted": round(float(p[m].mean()), 4),
                    "observed": round(float(y[m].mean()), 4),
                }
            )
    return out


def ranking_metrics(scores: np.ndarray, y: np.ndarray) -> dict:
    """AUC, and precision (查准率) and hit rate (命中率: share of all positives caught) in the
    top 10 % and 20 %."""
    base = float(y.mean()) if len(y) else 0.0
    out: dict = {"auc": _auc(scores, y)}
    for s in TOP_SHARES:
        pct = int(s * 100)
        prec = top_precision(scores, y, s)
        k = max(1, round(s * len(y)))
        out[f"precision_top{pct}"] = prec
        out[f"hit_rate_top{pct}"] = prec * k / y.sum() if y.sum() else None
        out[f"lift_top{pct}"] = prec / base if base else None
    return out


@dataclass
class Fold:
    month: str
    n_train: int
    n_test: int
    base_rate: float
    models: dict[str, dict] = field(default_factory=dict)
    weights: dict = field(default_factory=dict)


def _months(days: pd.Series, months: int) -> list[date]:
    """The first days of the last `months` whole months: a month still running on the latest
    inspection day is left out (a few days of tests would be noise)."""
    last = max(days)
    end = _next_month(date(last.year, last.month, 1))
    if last + timedelta(days=1) < end:  # the latest month has not ended
        end = date(last.year, last.month, 1)
    out = []
    for k in range(months, 0, -1):
        y, m = divmod(end.year * 12 + end.month - 1 - k, 12)
        out.append(date(y, m + 1, 1))
    return out


def _next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def enough(frame: pd.DataFrame, label: str) -> str | None:
    """Why these events are too few to learn from, or None."""
    n, pos = len(frame), int(frame[LABELS[label]].sum())
    if n < MIN_INSPECTIONS or pos < MIN_POSITIVES or pos == n:
        return (
            f"检查记录不足：{n} 次检查、{pos} 次发现隐患"
            f"（至少需 {MIN_INSPECTIONS} 次检查、{MIN_POSITIVES} 次发现）"
        )
    return None


def backtest(
    frame: pd.DataFrame,
    weights: pd.DataFrame,
    label: str = "any",
    months: int = 6,
    algorithms: tuple[str, ...] = ALGORITHMS,
) -> dict:
    """The back-test table: one fold per month, their mean, the chosen algorithm."""
    frame = frame.merge(weights.rename(columns={"score": "weights_score"}), on="event_id")
    col = LABELS[label]
    folds, skipped, pooled = [], [], {a: ([], []) for a in algorithms}
    for m in _months(frame["day"], months):
        train = frame[frame["day"] < m]
        test = frame[(frame["day"] >= m) & (frame["day"] < _next_month(m))]
        why = enough(train, label)
        if why or test.empty:
            skipped.append({"month": f"{m:%Y-%m}", "reason": why or "该月无检查记录"})
            continue
        y = test[col].to_numpy(dtype=float)
        fold = Fold(f"{m:%Y-%m}", len(train), len(test), float(y.mean()))
        for a in algorithms:
            p = fit(train, label, a).predict(test)
            fold.models[a] = ranking_metrics(p, y) | {"brier": float(brier_score_loss(y, p))}
            pooled[a][0].append(p)
            pooled[a][1].append(y)
        fold.weights = ranking_metrics(test["weights_score"].to_numpy(dtype=float), y)
        folds.append(fold)
    return _summary(folds, skipped, pooled, label)


def _mean(values: list) -> float | None:
    v = [x for x in values if x is not None]
    return float(np.mean(v)) if v else None


def _summary(folds: list[Fold], skipped: list, pooled: dict, label: str) -> dict:
    keys = ["auc"] + [f"{m}_top{int(s * 100)}" for s in TOP_SHARES for m in
                      ("precision", "hit_rate", "lift")]  # fmt: skip
    mean = {
        "base_rate": _mean([f.base_rate for f in folds]),
        "weights": {k: _mean([f.weights[k] for f in folds]) for k in keys},
        "models": {},
    }
    for a, (ps, ys) in pooled.items():
        if not folds:
            break
        m = {k: _mean([f.models[a][k] for f in folds]) for k in [*keys, "brier"]}
        p, y = np.concatenate(ps), np.concatenate(ys)
        m["reliability"] = reliability(p, y)
        w10 = mean["weights"]["precision_top10"]
        m["lift_over_weights_top10"] = m["precision_top10"] / w10 if w10 else None
        w20 = mean["weights"]["precision_top20"]
        m["lift_over_weights_top20"] = m["precision_top20"] / w20 if w20 else None
        mean["models"][a] = m
    best = (
        max(
            mean["models"],
            key=lambda a: (mean["models"][a]["precision_top10"], mean["models"][a]["auc"] or 0),
        )
        if mean["models"]
        else None
    )
    # Beating the weights: a higher precision in the first tenth (what targeting uses) AND a
    # higher AUC (the whole order), so a lucky tenth on a town without structure is not enough.
    beats = bool(
        best
        and mean["models"][best]["precision_top10"] > (mean["weights"]["precision_top10"] or 0)
        and (mean["models"][best]["auc"] or 0) > (mean["weights"]["auc"] or 0)
    )
    return {
        "label": label,
        "folds": [f.__dict__ for f in folds],
        "skipped": skipped,
        "mean": mean,
        "best": best,
        "beats_weights": beats,
    }
