"""`geo-service demo accounts`: a log-in per role for the synthetic demo town, and only there."""

from datetime import date
from pathlib import Path

import access_helpers  # noqa: F401  (cheap Argon2 cost for test users)
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from geo_service.api.app import create_app
from geo_service.config import Settings
from geo_service.db import make_engine
from geo_service.demo.accounts import DEMO_ACCOUNTS, ensure_demo_accounts
from geo_service.demo.loader import load_demo
from geo_service.errors import ValidationError


@pytest.fixture(scope="module")
def demo_db(new_database) -> str:
    url = new_database("demoacc")
    load_demo(url, seed=3, scale=0.05, as_of=date(2026, 11, 15))
    return url


def test_accounts_are_created_once_and_log_in(demo_db: str, tmp_path: Path) -> None:
    secrets_file = tmp_path / "demo-accounts.txt"
    engine = make_engine(demo_db, pool_size=1)
    with engine.begin() as conn:
        first = ensure_demo_accounts(conn, secrets_file)
    with engine.begin() as conn:
        again = ensure_demo_accounts(conn, secrets_file)
        roles = dict(conn.execute(text("SELECT username, role FROM users")).all())
    engine.dispose()
    assert first == again  # a re-run keeps the passwords it printed
    assert len(first) == len(DEMO_ACCOUNTS) == 6
    assert roles["daixi"] == "village" and roles["police"] == "police"
    assert oct(secrets_file.stat().st_mode & 0o777) == "0o600"
    password = dict((u, p) for u, _, p in first)["leader"]
    with TestClient(create_app(Settings(database_url=demo_db))) as client:
        ok = client.post("/auth/token", data={"username": "leader", "password": password})
        bad = client.post("/auth/token", data={"username": "leader", "password": "wrong-pass-1"})
    assert ok.status_code == 200 and ok.json()["access_token"]
    assert bad.status_code == 401


def test_refused_outside_the_synthetic_demo(db_url: str, tmp_path: Path) -> None:
    engine = make_engine(db_url, pool_size=1)
    with engine.begin() as conn, pytest.raises(ValidationError, match="仅限演示数据"):
        ensure_demo_accounts(conn, tmp_path / "x.txt")
    engine.dispose()
