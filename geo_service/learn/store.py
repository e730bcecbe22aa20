"""Stored fits (table risk_models, migration 0018): save one, make it active, load the active.

Only the owner's `geo-service risk train` writes the table (it holds pickled estimators:
whoever could write it could run code in the server); API roles only read it.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, text
from sqlalchemy.dialects.postgresql import JSONB

from geo_service.learn.model import Fitted, from_bytes


@dataclass(frozen=True)
class StoredModel:
    version: int
    created_at: datetime
    algorithm: str
    label: str
    features: list[str]
    train_from: date
    train_to: date
    n_train: int
    n_positive: int
    metrics: dict[str, Any]
    beats_weights: bool
    active: bool


_COLUMNS = (
    "version, created_at, algorithm, label, features, train_from, train_to, n_train, "
    "n_positive, metrics, beats_weights, active"
)


def save(
    conn: Connection,
    fitted: Fitted,
    *,
    label: str,
    train_from: date,
    train_to: date,
    n_train: int,
    n_positive: int,
    metrics: dict,
    beats_weights: bool,
    activate: bool,
) -> int:
    """Store a fit; the newest training decides: when `activate` it becomes the one active
    model, else no model is active (the ranking goes back to the weights). Returns its version."""
    data = fitted.to_bytes()
    conn.execute(text("UPDATE risk_models SET active = false WHERE active"))
    stmt = text(
        "INSERT INTO risk_models (algorithm, label, features, train_from, train_to, n_train, "
        "n_positive, metrics, beats_weights, model, sha256, active) VALUES (:algorithm, "
        ":label, :features, :train_from, :train_to, :n_train, :n_positive, :metrics, "
        ":beats_weights, :model, :sha256, :active) RETURNING version"
    ).bindparams(bindparam("features", type_=JSONB), bindparam("metrics", type_=JSONB))
    return conn.execute(
        stmt,
        {
            "algorithm": fitted.algorithm,
            "label": label,
            "features": list(fitted.features),
            "train_from": train_from,
            "train_to": train_to,
            "n_train": n_train,
            "n_positive": n_positive,
            "metrics": metrics,
            "beats_weights": beats_weights,
            "model": data,
            "sha256": hashlib.sha256(data).hexdigest(),
            "active": activate,
        },
    ).scalar_one()


def _row(r: Any) -> StoredModel:
    return StoredModel(**{k: getattr(r, k) for k in StoredModel.__dataclass_fields__})


def active(conn: Connection) -> StoredModel | None:
    """The active model's record (without its bytes), if any."""
    r = conn.execute(text(f"SELECT {_COLUMNS} FROM risk_models WHERE active")).one_or_none()
    return _row(r) if r else None


def latest(conn: Connection) -> StoredModel | None:
    """The newest stored model's record, active or not."""
    r = conn.execute(
        text(f"SELECT {_COLUMNS} FROM risk_models ORDER BY version DESC LIMIT 1")
    ).one_or_none()
    return _row(r) if r else None


def load(conn: Connection, version: int) -> Fitted:
    """The fitted estimator of `version` (its checksum checked by the table's constraint)."""
    data = conn.execute(
        text("SELECT model FROM risk_models WHERE version = :v"), {"v": version}
    ).scalar_one()
    return from_bytes(bytes(data))
