"""A small hand-made town for the spatial tests (OGC API, tiles, density, incidents).

AS_OF = 2025-03-01. Units (squares of 0.05° lon × 0.04° lat): 东村 (A, lon 120.00–120.05),
西社区 (B, lon 120.05–120.10), lat 31.68–31.72; and the department 建设局 (no territory).
Key area: an urban village (城中村) square lon 120.005–120.025, lat 31.695–31.705 (holds H1, H2).

Houses: H1 A (120.010, 31.700) · H2 A (120.020, 31.700) · H3 B (120.060, 31.690)
        H4 B (120.080, 31.710) · H5 A (no point yet)

Hazards (category, severity, found, due, rectified) and their state on AS_OF:
  Z1 H1 lpg_cylinder        major   02-01  02-08  —      overdue (21 days: Feb 8 → Mar 1)
  Z2 H1 improvised_wiring   general 01-10  04-10  —      open
  Z3 H2 open_flame          major   02-20  02-27  02-25  rectified
  Z4 H3 blocked_escape      major   02-25  03-04  —      open
  Z5 H3 illegal_construction general 2024-10-01 01-01 03-10  overdue (59 days: 31 + 28);
                                                        its rectification is after AS_OF
  Z6 H4 ebike               major   03-05  03-12  —      not yet found on AS_OF
  Z7 H5 crime               major   01-01  01-08  —      overdue (52 days), but H5 has no point
  Z8 H4 power_facility      general 2024-12-01 03-01 — open (the deadline day is not late)

Incidents (category, day, point): I1 盗窃 2025-02-01 10 m north of H1 (~11 m);
I2 纠纷 2025-02-15 ~80 m east of H1; I3 盗窃 2025-01-20 ~613 m from H1 and H2 (far from
every house);
I4 火警 2025-02-10 at H3; I5 盗窃 2025-03-02 at H3 (after AS_OF).
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from geo_service.api.app import create_app
from geo_service.config import Settings

AS_OF = date(2025, 3, 1)
# The server subprocess and the test process sign and check tokens with this key.
TEST_SECRET = "spatial-tests-secret-key-not-for-production-0123456789"
H = {"H1": (120.010, 31.700), "H2": (120.020, 31.700), "H3": (120.060, 31.690),
     "H4": (120.080, 31.710)}  # fmt: skip


def _box(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"SRID=4326;MULTIPOLYGON((({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0})))"


def load(engine: Engine) -> dict[str, int]:
    """Insert the town; returns the ids by code (units A/B, houses H1…, hazards Z1…)."""
    ids: dict[str, int] = {}
    with engine.begin() as c:

        def one(sql: str, **p) -> int:
            return c.execute(text(sql), p).scalar_one()

        unit = "INSERT INTO units (name, kind, geom) VALUES (:n, :k, :g) RETURNING id"
        ids["A"] = one(unit, n="东村", k="village", g=_box(120.00, 31.68, 120.05, 31.72))
        ids["B"] = one(unit, n="西社区", k="community", g=_box(120.05, 31.68, 120.10, 31.72))
        ids["DEPT"] = one(unit, n="建设局", k="department", g=None)
        c.execute(
            text("INSERT INTO key_areas (kind, name, geom) VALUES ('urban_village', '城中村', :g)"),
            {"g": _box(120.005, 31.695, 120.025, 31.705)},
        )
        c.execute(
            text(
                "INSERT INTO schools (name, geom) VALUES ('小学', 'SRID=4326;POINT(120.03 31.71)')"
            )
        )
        for code, unit_code in [("H1", "A"), ("H2", "A"), ("H3", "B"), ("H4", "B"), ("H5", "A")]:
            point = f"SRID=4326;POINT({H[code][0]} {H[code][1]})" if code in H else None
            ids[code] = one(
                """INSERT INTO houses (house_code, unit_id, address, landlord_name,
                       landlord_id_number, landlord_phone, rooms, beds, tenants,
                       registered_tenants, is_registered, pledge_signed, geom)
                   VALUES (:c, :u, :a, '房东', '320412199001011234', '13800000000', 5, 6, 8, 8,
                           true, true, :g) RETURNING id""",
                c=code,
                u=ids[unit_code],
                a=f"{code} 号",
                g=point,
            )
        hazards = [
            ("Z1", "H1", "lpg_cylinder", "major", "2025-02-01", "2025-02-08", None),
            ("Z2", "H1", "improvised_wiring", "general", "2025-01-10", "2025-04-10", None),
            ("Z3", "H2", "open_flame", "major", "2025-02-20", "2025-02-27", "2025-02-25"),
            ("Z4", "H3", "blocked_escape", "major", "2025-02-25", "2025-03-04", None),
            ("Z5", "H3", "illegal_construction", "general", "2024-10-01", "2025-01-01",
             "2025-03-10"),
            ("Z6", "H4", "ebike", "major", "2025-03-05", "2025-03-12", None),
            ("Z7", "H5", "crime", "major", "2025-01-01", "2025-01-08", None),
            ("Z8", "H4", "power_facility", "general", "2024-12-01", "2025-03-01", None),
        ]  # fmt: skip
        for code, house, cat, sev, found, due, fixed in hazards:
            ids[code] = one(
                """INSERT INTO hazards (hazard_code, house_id, category, severity, found_on,
                       due_on, posted_on_wall, entered_in_system, rectified_on)
                   VALUES (:c, :h, :cat, :s, :f, :d, true, true, :r) RETURNING id""",
                c=code,
                h=ids[house],
                cat=cat,
                s=sev,
                f=found,
                d=due,
                r=fixed,
            )
        incidents = [
            ("I1", "盗窃", "2025-02-01 10:00+08", 120.010, 31.7001),
            ("I2", "纠纷", "2025-02-15 22:30+08", 120.01085, 31.700),
            ("I3", "盗窃", "2025-01-20 08:00+08", 120.015, 31.7035),
            ("I4", "火警", "2025-02-10 03:00+08", 120.060, 31.690),
            ("I5", "盗窃", "2025-03-02 01:00+08", 120.060, 31.690),
        ]
        for code, cat, at, x, y in incidents:
            ids[code] = one(
                """INSERT INTO incidents (incident_code, occurred_at, category, address, geom)
                   VALUES (:c, :t, :cat, '某地', ST_SetSRID(ST_MakePoint(:x, :y), 4326))
                   RETURNING id""",
                c=code,
                t=at,
                cat=cat,
                x=x,
                y=y,
            )
        c.execute(text(
            "INSERT INTO roads (name, geom) VALUES "
            "('东西大道', 'SRID=4326;LINESTRING(120.00 31.695, 120.10 31.695)')"
        ))  # fmt: skip
        c.execute(text(
            "INSERT INTO addresses (full_address, normalized, unit_id, geom) VALUES "
            "('东村1号', '东村1号', :u, 'SRID=4326;POINT(120.01 31.70)')"
        ), {"u": ids["A"]})  # fmt: skip
    return ids


@contextmanager
def running_server(database_url: str) -> Iterator[str]:
    """A real uvicorn server of the app in a child process on a free loopback port.

    A process, not a thread: GDAL's HTTP client holds the GIL while it waits for an answer.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": database_url, "GEO_SECRET_KEY": TEST_SECRET}
    cmd = [sys.executable, "-m", "uvicorn", "geo_service.api.asgi:app"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def as_police(client: TestClient) -> TestClient:
    """Log `client` in as a police user (who may see every layer, incidents included) when the
    app has access control; without it, requests need no login."""
    if hasattr(client.app.state, "signing_key"):
        from access_helpers import login_as

        login_as(client, "police")
    return client


def police_headers(database_url: str) -> dict[str, str]:
    """Headers for a server started by `running_server` on `database_url` ({} without access
    control)."""
    app = create_app(Settings(database_url=database_url, secret_key=TEST_SECRET))
    with TestClient(app):  # runs the lifespan: the app's engine
        if not hasattr(app.state, "signing_key"):
            return {}
        from access_helpers import auth_headers

        return auth_headers(app, "police")
