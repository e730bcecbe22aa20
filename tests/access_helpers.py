"""Authenticated test clients: create a user of a role and send its token with each request.

    with TestClient(create_app(Settings(database_url=url))) as client:
        login_as(client, "police")                      # every request now as a police user
        r = client.get("/analytics/scores")
        h = auth_headers(client.app, "village", unit="甲村")   # or per request
        r = client.get("/map/layers/houses.geojson", headers=h)

Users are created once per database and role/unit (password `PASSWORD`); tokens are signed
directly with the app's key, so tests do not pay for a password check on every login.
"""

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from geo_service.access import accounts, passwords, tokens
from geo_service.access.accounts import Principal

PASSWORD = "Test-password-2026"

# Argon2 with its production cost takes most of a second per hash on the test machine; the
# users of tests are hashed cheaply (each hash keeps its own parameters, so checks still work).
passwords.set_cost(time_cost=1, memory_cost_kib=1024, parallelism=1)


def ensure_user(app: FastAPI, role: str, unit: str | None = None, username: str | None = None):
    """The user `username` (default: `t_<role>[_<unit id>]`), created when missing."""
    engine = app.state.engine
    with engine.begin() as conn:
        if username is None:
            suffix = ""
            if unit is not None:
                unit_id = conn.execute(
                    text("SELECT id FROM units WHERE name = :u OR id::text = :u"), {"u": str(unit)}
                ).scalar_one()
                suffix = f"_{unit_id}"
            username = f"t_{role}{suffix}"
        exists = conn.execute(
            text("SELECT 1 FROM users WHERE username = :u"), {"u": username}
        ).first()
        if exists is None:
            accounts.add_user(conn, username, role, PASSWORD, str(unit) if unit else None)
        return accounts.get_user(conn, username)


def token_for(app: FastAPI, user: Principal, lifetime_s: int = 3600) -> str:
    value, _ = tokens.issue(app.state.signing_key, user.username, user.epoch, "access", lifetime_s)
    return value


def auth_headers(
    app: FastAPI, role: str, unit: str | None = None, username: str | None = None
) -> dict[str, str]:
    """Headers authenticating as a user of `role` (bound to `unit` for village/department)."""
    user = ensure_user(app, role, unit, username)
    return {"Authorization": f"Bearer {token_for(app, user)}"}


def login_as(
    client: TestClient, role: str, unit: str | None = None, username: str | None = None
) -> TestClient:
    """Make every later request of `client` authenticated as a user of `role`."""
    client.headers.update(auth_headers(client.app, role, unit, username))
    return client


def secured_app(url: str, **settings) -> FastAPI:
    """The app for `url` (with `settings` overriding the defaults); access control is on."""
    from geo_service.api.app import create_app
    from geo_service.config import Settings

    return create_app(Settings(database_url=url, **settings))
