"""Accounts for the benchmark and the fuzz run, one per role, and their bearer tokens.

Uses the real `geo-service users add` command and the OAuth2 password flow (`/auth/token`).
When the service has no access control (no `/auth/token` in its OpenAPI), nothing is needed.
"""

import json
import os
import subprocess

import httpx
import psycopg2

from bench.env import ROOT
from bench.servers import VENV_BIN

PASSWORD = "bench-Passw0rd-不要在生产中使用"
ROLES = ("admin", "leader", "supervisor", "police", "department", "village")


def has_auth(base_url: str) -> bool:
    """Does the service ask who is calling? (its API description itself needs a login then)."""
    r = httpx.get(base_url + "/openapi.json", timeout=30)
    return r.status_code == 401 or "/auth/token" in r.json().get("paths", {})


def _unit_for(db_url: str, role: str) -> str | None:
    kinds = {"village": ("village", "community"), "department": ("department",)}.get(role)
    if kinds is None:
        return None
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT name FROM units WHERE kind = ANY(%s) ORDER BY id LIMIT 1", (list(kinds),)
        )
        row = cur.fetchone()
    return row[0] if row else None


def ensure_users(db_url: str, roles=ROLES) -> dict[str, str]:
    """A user `bench_<role>` for each role (created once); role → username."""
    env = {**os.environ, "DATABASE_URL": db_url}
    geo = str(VENV_BIN / "geo-service")
    listed = subprocess.run(
        [geo, "users", "list", "--json"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    existing = {u["username"] for u in json.loads(listed.stdout or "[]")}
    out = {}
    for role in roles:
        name = f"bench_{role}"
        out[role] = name
        if name in existing:
            continue
        cmd = [geo, "users", "add", name, "--role", role, "--password-stdin"]
        if unit := _unit_for(db_url, role):
            cmd += ["--unit", unit]
        elif role in ("village", "department"):
            out.pop(role)  # no unit of that kind in the data: that role cannot log in here
            continue
        done = subprocess.run(
            cmd, cwd=ROOT, env=env, input=PASSWORD + "\n", capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"users add {name}: {done.stderr.strip()}")
    return out


def token(base_url: str, username: str) -> str:
    r = httpx.post(
        base_url + "/auth/token",
        data={"username": username, "password": PASSWORD},
        timeout=30,
    )
    r.raise_for_status()
    return r.json()["access_token"]


def headers_for(base_url: str, db_url: str, role: str) -> dict[str, str]:
    """Authorization header of `role` when the service has access control, else {}."""
    if not has_auth(base_url):
        return {}
    users = ensure_users(db_url, (role,))
    if role not in users:
        raise RuntimeError(f"no unit for a {role} user in this database")
    return {"Authorization": f"Bearer {token(base_url, users[role])}"}


def openapi(base_url: str, headers: dict[str, str]) -> dict:
    """The service's OpenAPI document, read with `headers` (a login when it needs one)."""
    r = httpx.get(base_url + "/openapi.json", headers=headers, timeout=30)
    r.raise_for_status()
    return r.json()
