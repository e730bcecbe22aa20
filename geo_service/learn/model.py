"""The two models and their explanations (docs/risk.md).

- `logistic`: calibrated logistic regression (log1p of every feature, standardised, L2) —
  explained exactly: coefficient × standardised value, in log-odds.
- `gbm`: histogram gradient boosting — explained locally and cheaply: the change in log-odds
  when one feature is set back to its training median.
"""

import io
from dataclasses import dataclass

import joblib
import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from threadpoolctl import threadpool_limits

from geo_service.learn.features import FEATURE_NAMES

ALGORITHMS = ("logistic", "gbm")
ALGORITHM_ZH = {"logistic": "逻辑回归", "gbm": "梯度提升"}
LABELS = {"any": "found_any", "major": "found_major"}
LABEL_ZH = {"any": "检查发现隐患", "major": "检查发现重大隐患"}
SEED = 16
# One thread: the fits are small (thousands of rows), and OpenMP/BLAS threads contending with
# the database and the server cost far more than they give (a 7,000-row fit: 12 s on 2 busy
# cores with threads, 0.3 s without).
ONE_THREAD = 1


@dataclass
class Fitted:
    """A fitted model with what its explanations need."""

    algorithm: str
    features: tuple[str, ...]
    estimator: object
    medians: np.ndarray

    def matrix(self, frame: pd.DataFrame) -> np.ndarray:
        return frame[list(self.features)].to_numpy(dtype=float)

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """P(hazard found) for each row."""
        with threadpool_limits(ONE_THREAD):
            return self.estimator.predict_proba(self.matrix(frame))[:, 1]

    def contributions(self, frame: pd.DataFrame) -> np.ndarray:
        """Per row and feature, how much it raised (+) or lowered (−) the score, in log-odds."""
        x = self.matrix(frame)
        if self.algorithm == "logistic":
            pipe = self.estimator.calibrated_classifiers_[0].estimator
            z = pipe[:-1].transform(x)
            return z * pipe[-1].coef_[0]
        with threadpool_limits(ONE_THREAD):
            base = _logit(self.estimator.predict_proba(x)[:, 1])
            out = np.empty_like(x)
            for j in range(x.shape[1]):
                moved = x.copy()
                moved[:, j] = self.medians[j]
                out[:, j] = base - _logit(self.estimator.predict_proba(moved)[:, 1])
        return out

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        joblib.dump(self, buf, compress=3)
        return buf.getvalue()


def from_bytes(data: bytes) -> Fitted:
    """A stored fit. Unpickling runs code: only bytes the owner's `risk train` wrote (table
    risk_models, which no API role may write) are ever loaded."""
    return joblib.load(io.BytesIO(data))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _estimator(algorithm: str):
    if algorithm == "logistic":
        pipe = Pipeline(
            [
                ("log1p", FunctionTransformer(np.log1p)),
                ("scale", StandardScaler()),
                ("fit", LogisticRegression(C=0.5, max_iter=2000)),
            ]
        )
        return CalibratedClassifierCV(pipe, method="sigmoid", cv=3, ensemble=False)
    if algorithm == "gbm":
        return HistGradientBoostingClassifier(
            max_iter=150,
            learning_rate=0.06,
            max_leaf_nodes=15,
            min_samples_leaf=40,
            l2_regularization=1.0,
            early_stopping=False,
            random_state=SEED,
        )
    raise ValueError(algorithm)


def fit(frame: pd.DataFrame, label: str, algorithm: str) -> Fitted:
    """Fit `algorithm` on the events of `frame` to predict `label` (any | major)."""
    x = frame[list(FEATURE_NAMES)].to_numpy(dtype=float)
    y = frame[LABELS[label]].to_numpy(dtype=bool)
    est = _estimator(algorithm)
    with threadpool_limits(ONE_THREAD):
        est.fit(x, y)
    return Fitted(algorithm, FEATURE_NAMES, est, np.median(x, axis=0))
