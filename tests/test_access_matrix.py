"""Every role × every endpoint (and tile layer, collection, map layer, export): allowed,
refused (401/403) or hidden (404), and never a personal value or another unit's row where the
role may not see it.

The routes come from the app itself: a route missing from RULES fails
`test_every_route_is_classified`, so a new endpoint cannot go unchecked.
"""

import hashlib
import io
import json
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import date

import pytest
from access_data import HOUSES, INCIDENT_SUMMARY, load
from access_helpers import auth_headers, secured_app
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from routes_grid import build_grid, vertex
from sqlalchemy import text

from layers.registry import LAYERS
from web_map.queries import GEOJSON_LAYERS

ROLES = ["admin", "leader", "supervisor", "police", "department", "village"]
EVERYONE = frozenset(ROLES)
UNIT_FIGURES = EVERYONE - {"department"}
PLANNERS = frozenset({"supervisor", "police"})
PLAN_READERS = frozenset({"admin", "leader", "supervisor", "police"})
POLICE = frozenset({"police"})
UPLOADERS = frozenset({"admin", "police", "department", "village"})
ADMIN = frozenset({"admin"})
OPEN = None  # no login needed
AS_OF = "2026-11-15"
TILE = "/10/853/416.pbf"  # the tile holding the whole town (lon 120.0–120.1, lat 31.7)


@dataclass
class Sample:
    """One request and the status each role gets (default: 200 if allowed, else 403)."""

    url: str
    method: str = "GET"
    json: dict | None = None
    data: dict | None = None
    status: dict[str, int] = field(default_factory=dict)
    ok: int = 200
    live: bool = False  # needs a live server: only the login gate is checked here


@dataclass
class Rule:
    roles: frozenset[str] | None  # roles allowed; None = open without login
    samples: object  # callable(ctx) -> list[Sample]


def one(url: str, **kw):
    return lambda ctx: [Sample(url.format(**ctx), **kw)]


def _layer_roles(table: str) -> frozenset[str]:
    if table == "incidents":
        return POLICE
    if table.startswith("route_plan"):
        return PLAN_READERS
    return EVERYONE


def per_layer(template: str, layer_names, table_of, ok: int = 200):
    """One sample per layer; roles from the layer's table, checked inside the sample."""

    def build(ctx):
        out = []
        for name in layer_names:
            roles = _layer_roles(table_of(name))
            status = {r: (ok if r in roles else 403) for r in ROLES}
            out.append(Sample(template.format(layer=name, **ctx), status=status, ok=ok))
        return out

    return build


def house_detail(ctx):
    """HA1: every role (department through ZA1); HB1 hidden from village A; HA2 from the
    department (nothing of it was transferred)."""
    return [
        Sample(f"/map/data/houses/{ctx['HA1']}?as_of={AS_OF}"),
        Sample(f"/map/data/houses/{ctx['HB1']}?as_of={AS_OF}", status={"village": 404}),
        Sample(f"/map/data/houses/{ctx['HA2']}?as_of={AS_OF}", status={"department": 404}),
    ]


def ogc_item(ctx):
    out = []
    for name, layer in LAYERS.items():
        if layer.table != "houses" or name != "houses":
            continue
        out.append(Sample(f"/ogc/collections/houses/items/{ctx['HA1']}"))
        out.append(Sample(f"/ogc/collections/houses/items/{ctx['HB1']}", status={"village": 404}))
    out.append(
        Sample(
            f"/ogc/collections/incidents/items/{ctx['I1']}",
            status={r: (200 if r == "police" else 403) for r in ROLES},
        )
    )
    return out


def _table(name: str) -> str:
    return LAYERS[name].table


def _map_table(name: str) -> str:
    return {"routes": "route_plan_routes"}.get(name, name)


RULES: dict[tuple[str, str], Rule] = {
    # open
    ("GET", "/healthz"): Rule(OPEN, one("/healthz")),
    ("GET", "/login"): Rule(OPEN, one("/login")),
    ("POST", "/login"): Rule(
        OPEN, one("/login", method="POST", data={"username": "x", "password": "y" * 10}, ok=401)
    ),
    ("POST", "/auth/token"): Rule(
        OPEN,
        one("/auth/token", method="POST", data={"username": "x", "password": "y" * 10}, ok=401),
    ),
    ("POST", "/auth/logout"): Rule(OPEN, one("/auth/logout", method="POST", ok=204)),
    ("GET", "/static/map/{path:path}"): Rule(OPEN, one("/static/map/map.css")),
    ("GET", "/static/plan/{path:path}"): Rule(OPEN, one("/static/plan/plan.js")),
    ("GET", "/static/field/{path:path}"): Rule(OPEN, one("/static/field/sw.js")),
    ("GET", "/static/map/app.js"): Rule(OPEN, one("/static/map/app.js")),
    ("MOUNT", "/static/vendor"): Rule(OPEN, one("/static/vendor/leaflet/dist/leaflet.js")),
    # every logged-in role; rows filtered by the database
    ("GET", "/auth/me"): Rule(EVERYONE, one("/auth/me")),
    ("GET", "/openapi.json"): Rule(EVERYONE, one("/openapi.json")),
    ("GET", "/docs"): Rule(EVERYONE, one("/docs")),
    ("GET", "/docs/oauth2-redirect"): Rule(EVERYONE, one("/docs/oauth2-redirect")),
    ("GET", "/redoc"): Rule(EVERYONE, one("/redoc")),
    ("GET", "/"): Rule(EVERYONE, one("/", ok=307)),
    ("GET", "/map"): Rule(EVERYONE, one(f"/map?as_of={AS_OF}")),
    ("GET", "/map/data/summary"): Rule(EVERYONE, one(f"/map/data/summary?as_of={AS_OF}")),
    ("GET", "/map/data/{layer}.geojson"): Rule(
        EVERYONE,
        per_layer(f"/map/data/{{layer}}.geojson?as_of={AS_OF}", GEOJSON_LAYERS, _map_table),
    ),
    ("GET", "/map/data/houses/{house_id}"): Rule(EVERYONE, house_detail),
    ("GET", "/map/basemap/{z}/{x}/{y}.pbf"): Rule(EVERYONE, one("/map/basemap" + TILE)),
    ("GET", "/map/export.{fmt}"): Rule(
        EVERYONE,
        lambda ctx: [
            Sample(f"/map/export.{fmt}?layer={layer}&as_of={AS_OF}")
            for fmt in ("geojson", "csv", "xlsx")
            for layer in ("houses", "hazards")
        ],
    ),
    # Chromium renders /map with the caller's credentials on a live server (the map helper's
    # browser tests); what it draws is the /map page checked here role by role.
    ("GET", "/map/export.png"): Rule(EVERYONE, one(f"/map/export.png?as_of={AS_OF}", live=True)),
    ("GET", "/ogc"): Rule(EVERYONE, one("/ogc")),
    ("GET", "/ogc/conformance"): Rule(EVERYONE, one("/ogc/conformance")),
    ("GET", "/ogc/collections"): Rule(EVERYONE, one("/ogc/collections")),
    **{
        ("GET", f"/ogc/collections/{{collection_id}}{suffix}"): Rule(
            EVERYONE, per_layer(f"/ogc/collections/{{layer}}{suffix}", LAYERS, _table)
        )
        for suffix in ("", "/queryables", "/schema", "/items")
    },
    ("GET", "/ogc/collections/{collection_id}/items/{feature_id}"): Rule(EVERYONE, ogc_item),
    ("GET", "/tiles/{layer_name}/{z}/{x}/{y}.pbf"): Rule(
        EVERYONE, per_layer("/tiles/{layer}" + TILE, LAYERS, _table)
    ),
    ("GET", "/tiles/{layer_name}.json"): Rule(
        EVERYONE, per_layer("/tiles/{layer}.json", LAYERS, _table)
    ),
    # analytics
    ("GET", "/analytics/overdue"): Rule(EVERYONE, one(f"/analytics/overdue?as_of={AS_OF}")),
    ("GET", "/analytics/overdue.geojson"): Rule(
        EVERYONE, one(f"/analytics/overdue.geojson?as_of={AS_OF}")
    ),
    ("GET", "/analytics/scores"): Rule(UNIT_FIGURES, one(f"/analytics/scores?as_of={AS_OF}")),
    ("GET", "/analytics/table"): Rule(UNIT_FIGURES, one(f"/analytics/table?as_of={AS_OF}")),
    ("GET", "/analytics/table.xlsx"): Rule(
        UNIT_FIGURES, one(f"/analytics/table.xlsx?as_of={AS_OF}")
    ),
    ("GET", "/analytics/cctv"): Rule(UNIT_FIGURES, one(f"/analytics/cctv?as_of={AS_OF}")),
    ("GET", "/analytics/risk"): Rule(UNIT_FIGURES, one(f"/analytics/risk?as_of={AS_OF}")),
    ("GET", "/analytics/bulletin"): Rule(PLAN_READERS, one("/analytics/bulletin?month=2026-11")),
    ("GET", "/analytics/density/hex"): Rule(EVERYONE, one(f"/analytics/density/hex?as_of={AS_OF}")),
    ("GET", "/analytics/density/units"): Rule(
        EVERYONE, one(f"/analytics/density/units?as_of={AS_OF}")
    ),
    ("GET", "/analytics/density/heat"): Rule(
        EVERYONE, one(f"/analytics/density/heat?as_of={AS_OF}")
    ),
    ("GET", "/analytics/incidents/near-houses"): Rule(
        POLICE, one(f"/analytics/incidents/near-houses?as_of={AS_OF}")
    ),
    ("GET", "/analytics/incidents/units"): Rule(
        POLICE, one(f"/analytics/incidents/units?as_of={AS_OF}")
    ),
    ("GET", "/analytics/incidents/hotspots"): Rule(
        frozenset({"leader", "supervisor", "police"}),
        one(f"/analytics/incidents/hotspots?as_of={AS_OF}"),
    ),
    # review-phase routes
    ("GET", "/routes/targets"): Rule(PLANNERS, one(f"/routes/targets?date={AS_OF}")),
    ("POST", "/routes/plans"): Rule(
        PLANNERS,
        lambda ctx: [Sample("/routes/plans", method="POST", json=ctx["plan_body"])],
    ),
    ("POST", "/routes/visits"): Rule(
        PLANNERS,
        lambda ctx: [
            Sample(
                "/routes/visits", method="POST", json={"house_id": ctx["HB1"], "no_access": True}
            )
        ],
    ),
    ("GET", "/routes/plans/{ref}"): Rule(PLAN_READERS, one("/routes/plans/{ref}")),
    ("GET", "/routes/plans/{ref}/instance"): Rule(
        PLAN_READERS, one("/routes/plans/{ref}/instance")
    ),
    ("GET", "/routes/plans/{ref}/geojson"): Rule(PLAN_READERS, one("/routes/plans/{ref}/geojson")),
    ("GET", "/routes/plans/{ref}/teams/{team}.gpx"): Rule(
        PLAN_READERS, one("/routes/plans/{ref}/teams/1.gpx")
    ),
    ("GET", "/routes/plans/{ref}/teams/{team}.kml"): Rule(
        PLAN_READERS, one("/routes/plans/{ref}/teams/1.kml")
    ),
    ("GET", "/routes/plans/{ref}/sheet"): Rule(PLAN_READERS, one("/routes/plans/{ref}/sheet")),
    # planning and publishing from the browser, the field page and its data
    ("GET", "/plan"): Rule(PLANNERS, one("/plan")),
    ("GET", "/field"): Rule(PLANNERS, one("/field")),
    ("GET", "/routes/plans"): Rule(PLAN_READERS, one("/routes/plans")),
    ("GET", "/routes/members"): Rule(PLANNERS, one("/routes/members")),
    ("POST", "/routes/plans/stream"): Rule(
        PLANNERS,
        lambda ctx: [Sample("/routes/plans/stream", method="POST", json=ctx["plan_body"])],
    ),
    ("POST", "/routes/plans/{ref}/publish"): Rule(
        PLANNERS,
        lambda ctx: [Sample(f"/routes/plans/{ctx['ref']}/publish", method="POST", json={})],
    ),
    ("GET", "/routes/field/today"): Rule(PLANNERS, one("/routes/field/today")),
    ("POST", "/routes/field/visits"): Rule(
        PLANNERS,
        lambda ctx: [
            Sample(
                "/routes/field/visits",
                method="POST",
                data={"visit": json.dumps(ctx["field_visit"])},
                ok=201,
                # By the police's turn the visit id is the supervisor's: not theirs to reuse.
                status={"police": 422},
            )
        ],
    ),
    # a visit photo: as review visits are read (the village only its own houses' visits)
    ("GET", "/routes/photos/{sha256}"): Rule(
        EVERYONE,
        one("/routes/photos/{photo}", status={"village": 404, "department": 403}),
    ),
    # access control's own
    ("GET", "/audit"): Rule(frozenset({"admin", "police"}), one("/audit?since=2020-01-01")),
    # uploads (上报数据): what each uploader may change is the import's and the database's
    # business (tests/test_upload_scope.py); here, who may call at all
    ("POST", "/imports"): Rule(UPLOADERS, one("/imports", method="POST", data={}, ok=422)),
    ("GET", "/imports/{job_id}"): Rule(UPLOADERS, one("/imports/999999", ok=404)),
    ("GET", "/imports/{job_id}/files/{seq}/report.xlsx"): Rule(
        UPLOADERS, one("/imports/999999/files/1/report.xlsx", ok=404)
    ),
    ("GET", "/upload"): Rule(UPLOADERS, one("/upload")),
    ("GET", "/upload/history"): Rule(UPLOADERS, one("/upload/history")),
    ("GET", "/upload/template.xlsx"): Rule(UPLOADERS, one("/upload/template.xlsx")),
    # accounts and the audit log in the browser (an empty form: 422 for the administrator)
    ("GET", "/admin/users"): Rule(ADMIN, one("/admin/users")),
    ("POST", "/admin/users"): Rule(ADMIN, one("/admin/users", method="POST", data={}, ok=422)),
    **{
        ("POST", f"/admin/users/{{username}}/{action}"): Rule(
            ADMIN, one(f"/admin/users/nobody/{action}", method="POST", data={}, ok=422)
        )
        for action in ("state", "password", "role")
    },
    ("GET", "/admin/audit"): Rule(ADMIN, one("/admin/audit?since=2020-01-01")),
}


def _routes(app) -> set[tuple[str, str]]:
    keys = set()
    for rc in iter_route_contexts(app.routes):
        methods = getattr(rc, "methods", None)
        if not methods:
            keys.add(("MOUNT", rc.path))
        for m in methods or ():
            if m != "HEAD":
                keys.add((m, rc.path))
    return keys


@pytest.fixture(scope="module")
def ctx(engine, db_url):
    ids = load(engine)
    with engine.begin() as conn:
        build_grid(conn)
    app = secured_app(db_url)
    with TestClient(app) as client:
        heads = {r: auth_headers(app, r, unit=_unit(r)) for r in ROLES}
        plan_body = {
            "date": AS_OF,
            "teams": 1,
            "start": "08:30",
            "end": "12:00",
            "depots": ["{},{}".format(*vertex(0, 0))],
            "house_ids": [ids["HB1"]],
        }
        yield {
            **{k: v for k, v in ids.items()},
            "ref": _saved_plan(engine, plan_body),
            "plan_body": plan_body,
            "photo": _saved_photo(engine, ids["HB1"]),
            "field_visit": {
                "client_id": str(uuid.uuid4()),
                "house_id": ids["HB1"],
                "status": "no_access",
                "visited_at": "2026-11-15T10:00:00",
            },
            "client": client,
            "headers": heads,
        }


def _saved_plan(engine, body: dict) -> str:
    """A plan saved by the owner (the CLI's way), for the routes that read plans."""
    from geo_service.domain.rules import load_rule_params
    from geo_service.patrol.config import load_route_params, parse_hhmm
    from geo_service.patrol.plan import PlanRequest, plan_routes
    from geo_service.patrol.store import save_plan

    req = PlanRequest(
        date.fromisoformat(body["date"]),
        body["teams"],
        parse_hhmm(body["start"]),
        parse_hhmm(body["end"]),
        body["depots"],
        body["house_ids"],
    )
    with engine.begin() as conn:
        plan, instance = plan_routes(conn, req, load_route_params(), load_rule_params(None))
        return save_plan(conn, plan, instance, body, "test")


def _saved_photo(engine, house_id: int) -> str:
    """A photo of a field visit at `house_id` (乙社区), stored as the field page stores it."""
    data = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8ffff3f0005fe02fea7d6a4830000000049454e44ae426082"
    )
    with engine.begin() as conn:
        visit = conn.execute(
            text(
                "INSERT INTO field_visits (client_id, username, house_id, status, visited_at)"
                " VALUES (:c, 'phone', :h, 'visited', now()) RETURNING id"
            ),
            {"c": str(uuid.uuid4()), "h": house_id},
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO visit_photos (field_visit_id, house_id, sha256, media_type, width,"
                " height, bytes, data) VALUES (:v, :h, :s, 'image/png', 1, 1, :n, :d)"
            ),
            {"v": visit, "h": house_id, "s": hashlib.sha256(data).hexdigest(), "n": len(data),
             "d": data},
        )  # fmt: skip
    return hashlib.sha256(data).hexdigest()


def _unit(role: str) -> str | None:
    return {"village": "甲村", "department": "建设局"}.get(role)


def test_every_route_is_classified(ctx):
    unclassified = _routes(ctx["client"].app) - set(RULES)
    assert not unclassified, f"routes without an access rule in RULES: {sorted(unclassified)}"
    stale = set(RULES) - _routes(ctx["client"].app)
    assert not stale, f"rules for routes that no longer exist: {sorted(stale)}"


# -- what each role must never see ----------------------------------------------------------------

_OWN = {"HA1", "HA2"}  # village 甲村's houses


def _forbidden_strings(role: str) -> list[str]:
    """Strings that must not appear in any response to `role`."""
    out = []
    if role != "police":
        for code, (_, name, idn, phone, second, *_) in HOUSES.items():
            if role == "village" and code in _OWN:
                continue
            out += [idn, phone, name] + ([second] if second else [])
        out += [INCIDENT_SUMMARY, "洛阳镇I1警情地址", "洛阳镇I2警情地址"]
    if role == "village":
        out += ["洛阳镇HB1号"]
    if role == "department":
        out += ["洛阳镇HA2号"]
    return out


def _texts(body: bytes, content_type: str) -> str:
    """Everything readable in a response: spreadsheets unzipped, tiles as raw bytes."""
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            return "".join(z.read(n).decode("utf-8", "ignore") for n in z.namelist())
    if content_type.startswith("image/png"):
        return ""
    return body.decode("utf-8", "ignore")


def _call(ctx, sample: Sample, role: str | None):
    headers = dict(ctx["headers"][role]) if role else {}
    if sample.method == "GET":
        return ctx["client"].get(sample.url, headers=headers, follow_redirects=False)
    return ctx["client"].request(
        sample.method,
        sample.url,
        headers=headers,
        json=sample.json,
        data=sample.data,
        follow_redirects=False,
    )


@pytest.mark.parametrize("key", sorted(RULES), ids=lambda k: f"{k[0]} {k[1]}")
def test_route_for_every_role(ctx, key):
    rule = RULES[key]
    failures = []
    for sample in rule.samples(ctx):
        anonymous = _call(ctx, sample, None)
        if rule.roles is OPEN:
            if anonymous.status_code != sample.ok:
                failures.append(f"anonymous {sample.url}: {anonymous.status_code}")
            continue
        if anonymous.status_code != 401:
            failures.append(f"anonymous {sample.url}: {anonymous.status_code}, want 401")
        if sample.live:
            continue
        for role in ROLES:
            want = sample.status.get(role, sample.ok if role in rule.roles else 403)
            r = _call(ctx, sample, role)
            if want == 200 and r.status_code == 204 and ".pbf" in sample.url:
                continue  # an empty tile: nothing of this layer in the town's tile
            if r.status_code != want:
                failures.append(f"{role} {sample.url}: {r.status_code}, want {want} {r.text[:200]}")
                continue
            text = _texts(r.content, r.headers.get("content-type", ""))
            leaked = [s for s in _forbidden_strings(role) if s in text]
            if leaked:
                failures.append(f"{role} {sample.url}: shows {leaked}")
            # What is behind the log-in depends on who asks: never for a shared cache.
            cache = r.headers.get("cache-control", "")
            if "public" in cache or not ("private" in cache or "no-store" in cache):
                failures.append(f"{role} {sample.url}: Cache-Control {cache!r}")
    assert not failures, "\n".join(failures)


def test_a_void_token_opens_no_route(ctx):
    """Logged out, or locked out: refused (401) on every route that needs a log-in, including
    those that hold no database connection (API description, OGC landing page, PNG export)."""
    app, client = ctx["client"].app, ctx["client"]
    out = auth_headers(app, "police", username="void_out")
    assert client.post("/auth/logout", headers=out).status_code == 204
    locked = auth_headers(app, "supervisor", username="void_locked")
    with app.state.engine.begin() as c:
        c.execute(
            text("UPDATE users SET locked_until = now() + interval '15 minutes' "
                 "WHERE username = 'void_locked'")
        )  # fmt: skip
    failures = []
    for _, rule in sorted(RULES.items()):
        if rule.roles is OPEN:
            continue
        for sample in rule.samples(ctx):
            for name, headers in (("logged out", out), ("locked out", locked)):
                ctx["headers"]["void"] = headers
                r = _call(ctx, sample, "void")
                if r.status_code != 401:
                    failures.append(f"{name} {sample.method} {sample.url}: {r.status_code}")
    assert not failures, "\n".join(failures)


def test_masked_personal_data_where_contacts_are_shown(ctx):
    """The house popup shows landlord contacts masked, unless the role may see them."""
    url = f"/map/data/houses/{ctx['HA1']}?as_of={AS_OF}"
    for role in ROLES:
        body = _call(ctx, Sample(url), role).json()
        if role in ("police", "village"):
            assert body["landlord_phone"] == "13812345678", role
            assert body["landlord_name"] == "张建国", role
        else:
            assert body["landlord_phone"] == "138****5678", role
            assert body["landlord_name"] == "张**", role
