"""The map's data, exports and page on real PostGIS, with the hand-made town of `map_sample`
(every expected number below is read off the table in its docstring, not computed by the code).
"""

import csv
import io
import math
import re
from collections.abc import Iterator

import mapbox_vector_tile
import pytest
from access_helpers import auth_headers, login_as
from fastapi.testclient import TestClient
from map_sample import AS_OF, load
from openpyxl import load_workbook
from sqlalchemy import create_engine, text

from geo_service.api.app import create_app
from geo_service.config import Settings
from geo_service.db import sqlalchemy_url

D = AS_OF.isoformat()  # 2026-06-30


@pytest.fixture(scope="module")
def url(new_database) -> str:
    db = new_database("map")
    load(db)
    return db


@pytest.fixture(scope="module")
def client(url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=url))) as c:
        yield login_as(c, "police")  # the role that sees every layer, incidents included


def count(client: TestClient, layer: str, query: str) -> int:
    r = client.get(f"/map/data/{layer}.geojson?{query}")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/geo+json")
    return len(r.json()["features"])


@pytest.mark.parametrize(
    ("query", "houses", "hazards"),
    [
        # 11 houses have a point (H012 has none); hazards found by D with a point: Z01–Z07, Z09.
        (f"as_of={D}", 11, 8),
        # Z08 is found on 07-10; by 07-31 it is on the map too.
        ("as_of=2026-07-31", 11, 9),
        # 甲村: H001, H002, H003, H011; hazards Z01, Z02, Z03, Z09.
        (f"as_of={D}&unit_id=1", 4, 4),
        (f"as_of={D}&unit_id=1,3", 8, 6),  # + 丙村: H007–H010; Z06, Z07
        # In a 农村自建房 area: H008; by the building flag: H009 (outside any area).
        (f"as_of={D}&key_area_kind=rural_self_built", 2, 1),
        (f"as_of={D}&key_area_kind=old_estate", 2, 2),  # H004, H005: Z04, Z05
        (f"as_of={D}&severity=major", 11, 4),  # Z01, Z03, Z04, Z06 (Z10 has no point)
        (f"as_of={D}&category=ebike", 11, 1),
        (f"as_of={D}&status=overdue", 11, 4),  # Z01, Z04, Z05, Z07
        (f"as_of={D}&status=open", 11, 3),  # Z02, Z06, Z09 (inside their deadline)
        (f"as_of={D}&status=open,overdue", 11, 7),
        (f"as_of={D}&status=rectified", 11, 1),  # Z03
        ("as_of=2026-07-31&status=rectified", 11, 2),  # + Z07, rectified 07-15
    ],
)
def test_filters_change_what_the_layers_hold(client, query, houses, hazards):
    assert count(client, "houses", query) == houses
    assert count(client, "hazards", query) == hazards


def test_hazard_status_and_days_overdue_as_of_a_day(client):
    features = client.get(f"/map/data/hazards.geojson?as_of={D}").json()["features"]
    got = {f["properties"]["code"]: (f["properties"]["status"], f["properties"]["days_overdue"])
           for f in features}  # fmt: skip
    assert got == {
        "Z01": ("overdue", 22),  # due 06-08 → 30 − 8
        "Z02": ("open", 0),
        "Z03": ("rectified", 0),
        "Z04": ("overdue", 3),  # due 06-27
        "Z05": ("overdue", 81),  # due 04-10: 20 (Apr) + 31 (May) + 30 (Jun)
        "Z06": ("open", 0),
        "Z07": ("overdue", 60),  # due 05-01: 30 (May) + 30 (Jun); rectified only on 07-15
        "Z09": ("open", 0),  # due 07-01: the day before the deadline is not late
    }
    # On its deadline day a hazard is still not overdue.
    z09 = client.get("/map/data/hazards.geojson?as_of=2026-07-01&category=power_facility").json()
    assert z09["features"][0]["properties"]["status"] == "open"


def test_other_layers(client):
    assert count(client, "units", f"as_of={D}") == 3  # the department has no boundary
    assert count(client, "key_areas", f"as_of={D}") == 5
    assert count(client, "key_areas", f"unit_id=3&as_of={D}") == 2  # 安置小区丙, 自建房片区丙
    # Incidents in the 12 months up to D: J01–J04 (J05 is from 2025-05-01).
    assert count(client, "incidents", f"as_of={D}") == 4
    assert count(client, "incidents", f"as_of={D}&unit_id=1") == 3


def test_dashboard_counts_now_and_a_month_before(client):
    s = client.get(f"/map/data/summary?as_of={D}").json()
    # Houses: all 12 (a missing point does not remove a house). Found by 06-30: 9 (not Z08);
    # rectified: Z03; overdue: Z01, Z04, Z05, Z07, Z10; major and open: Z01, Z04, Z06, Z10.
    assert s["now"] == {
        "houses": 12, "found": 9, "open": 8, "overdue": 5, "major_open": 4, "rectified": 1,
    }  # fmt: skip
    # 05-30: found Z02, Z03, Z05, Z07, Z09, Z10; overdue Z05 (04-10), Z07 (05-01), Z10 (05-08).
    assert s["month_before"] == {
        "as_of": "2026-05-30", "houses": 12, "found": 6, "open": 5, "overdue": 3,
        "major_open": 1, "rectified": 1,
    }  # fmt: skip
    s = client.get(f"/map/data/summary?as_of={D}&unit_id=2").json()["now"]
    assert s == {"houses": 4, "found": 3, "open": 3, "overdue": 3, "major_open": 2, "rectified": 0}


def _house_ids(url: str) -> dict[str, int]:
    engine = create_engine(sqlalchemy_url(url))
    with engine.connect() as c:
        ids = {code: id_ for code, id_ in c.execute(text("SELECT house_code, id FROM houses"))}
    engine.dispose()
    return ids


def test_house_popup_masks_the_landlord_and_applies_the_cctv_rule(url, client):
    ids = _house_ids(url)
    leader = auth_headers(client.app, "leader")  # a role that sees personal data masked
    h = client.get(f"/map/data/houses/{ids['H001']}?as_of={D}", headers=leader).json()
    assert h["address"] == "洛阳镇H001号" and h["unit_name"] == "甲村"
    assert h["landlord_name"] == "张**" and h["landlord_phone"] == "138****5678"
    assert h["key_areas"] == ["urban_village"]
    # 12 tenants ≥ 10 → CCTV required; none installed → a violation.
    assert (h["cctv_required"], h["cctv_violation"]) == (True, "missing")
    assert [z["hazard_code"] for z in h["hazards"]] == ["Z02", "Z01"]  # by date found
    # The police see the landlord in full (and that read is audited by the database).
    full = client.get(f"/map/data/houses/{ids['H001']}?as_of={D}").json()
    assert (full["landlord_name"], full["landlord_phone"]) == ("张建国", "13812345678")
    # H008's hazard Z07: rectified on 07-15, so not yet on 06-30.
    h8 = client.get(f"/map/data/houses/{ids['H008']}?as_of={D}").json()
    assert h8["hazards"][0]["rectified_on"] is None and h8["cctv_required"] is False
    h8 = client.get(f"/map/data/houses/{ids['H008']}?as_of=2026-07-31").json()
    assert h8["hazards"][0]["rectified_on"] == "2026-07-15"
    assert client.get("/map/data/houses/999999").status_code == 404


@pytest.mark.parametrize(
    "query",
    ["unit_id=abc", "category=fire", "severity=high", "status=late", "as_of=2026-13-01",
     "key_area_kind=park"],
)  # fmt: skip
def test_a_bad_filter_is_one_clear_error(client, query):
    r = client.get(f"/map/data/hazards.geojson?{query}")
    assert r.status_code == 422
    assert "invalid" in r.json()["detail"]


def test_exports_of_the_current_filter(client):
    q = f"layer=hazards&as_of={D}&status=overdue"
    r = client.get(f"/map/export.csv?{q}")
    assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["隐患编号", "房屋编号", "所属单位"]
    assert [r[0] for r in rows[1:]] == ["Z01", "Z04", "Z05", "Z07"]
    assert {r[10] for r in rows[1:]} == {"逾期未整改"}
    assert "张建国" not in r.content.decode("utf-8-sig")  # no personal data

    gj = client.get(f"/map/export.geojson?{q}").json()
    assert [f["properties"]["hazard_code"] for f in gj["features"]] == ["Z01", "Z04", "Z05", "Z07"]
    assert gj["features"][0]["geometry"]["coordinates"] == [120.06, 31.7]

    wb = load_workbook(io.BytesIO(client.get(f"/map/export.xlsx?{q}").content))
    ws = wb.active
    assert ws.title == "安全隐患" and ws["A3"].value == "隐患编号"
    assert [ws.cell(row=r, column=1).value for r in range(4, ws.max_row + 1)] == [
        "Z01", "Z04", "Z05", "Z07",
    ]  # fmt: skip

    # Only what is in view: a box around 甲村's urban village holds H001 and H011.
    box = "120.055,31.695,120.065,31.705"
    houses = client.get(f"/map/export.geojson?layer=houses&as_of={D}&bbox={box}")
    assert sorted(f["properties"]["house_code"] for f in houses.json()["features"]) == [
        "H001", "H011",
    ]  # fmt: skip
    assert client.get("/map/export.pdf?layer=hazards").status_code == 422
    assert client.get("/map/export.csv?layer=incidents").status_code == 422


def _tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def test_offline_basemap_tiles_hold_roads_and_unit_areas(client):
    x, y = _tile(120.06, 31.69, 14)  # 洛阳大道 runs along 31.69, between 甲村 and 丙村
    r = client.get(f"/map/basemap/14/{x}/{y}.pbf")
    assert r.status_code == 200
    tile = mapbox_vector_tile.decode(r.content)
    assert {f["properties"]["name"] for f in tile["land"]["features"]} >= {"甲村", "丙村"}
    assert "洛阳大道" in {f["properties"].get("name") for f in tile["roads"]["features"]}
    x, y = _tile(120.06, 31.70, 14)
    tile = mapbox_vector_tile.decode(client.get(f"/map/basemap/14/{x}/{y}.pbf").content)
    assert "村道" in {f["properties"].get("name") for f in tile["roads"]["features"]}
    # Local roads are left out of city-wide tiles (below zoom 12).
    x, y = _tile(120.06, 31.70, 10)
    low = mapbox_vector_tile.decode(client.get(f"/map/basemap/10/{x}/{y}.pbf").content)
    assert "村道" not in {f["properties"].get("name") for f in low["roads"]["features"]}
    assert client.get("/map/basemap/3/99/0.pbf").status_code == 404


def test_patrol_routes_layer_shows_the_latest_plan(url, client):
    engine = create_engine(sqlalchemy_url(url))
    with engine.begin() as c:
        plans = (("P-OLD", "2026-06-01"), ("P-NOW", "2026-06-30"), ("P-LATE", "2026-08-01"))
        for ref, day in plans:
            c.execute(
                text(
                    "INSERT INTO route_plans (ref, plan_date, teams, params, instance, result) "
                    "VALUES (:r, :d, 1, '{}', '{}', '{}')"
                ),
                {"r": ref, "d": day},
            )
        c.execute(
            text(
                "INSERT INTO route_plan_routes (plan_ref, team, stops, driving_s, distance_m, geom)"
                " VALUES ('P-NOW', 1, 2, 600, 3000, "
                "ST_GeomFromText('LINESTRING(120.07 31.69, 120.06 31.70, 120.08 31.70)', 4326))"
            )
        )
        for seq, code in ((1, "H001"), (2, "H004")):
            c.execute(
                text(
                    "INSERT INTO route_plan_stops (plan_ref, team, seq, house_id, arrival_s, "
                    "departure_s, geom) SELECT 'P-NOW', 1, :s, id, 32400 + :s * 1800, "
                    "33600 + :s * 1800, geom FROM houses WHERE house_code = :c"
                ),
                {"s": seq, "c": code},
            )
    engine.dispose()
    fc = client.get(f"/map/data/routes.geojson?as_of={D}").json()
    kinds = [(f["geometry"]["type"], f["properties"].get("seq")) for f in fc["features"]]
    assert kinds == [("LineString", None), ("Point", 1), ("Point", 2)]
    assert fc["features"][1]["properties"]["house_code"] == "H001"
    assert fc["features"][1]["properties"]["arrival"] == "09:30"
    # A week before the late plan's day, that plan is what the supervisors are preparing.
    late = client.get("/map/data/routes.geojson?as_of=2026-07-25").json()
    assert late["features"] == []  # P-LATE has no routes saved; P-NOW is older


def test_page_uses_only_its_own_assets(client):
    r = client.get(f"/map?as_of={D}")
    assert r.status_code == 200 and "群租房安全管理地图" in r.text
    refs = [u for u in re.findall(r'(?:src|href)="([^"]+)"', r.text) if u != "#"]
    assert refs and all(ref.startswith("/") for ref in refs), refs
    for ref in refs:
        assert client.get(ref).status_code == 200, ref
    assert "演示数据（合成）" in r.text  # the sample says it is synthetic
    assert "tile.openstreetmap.org" not in r.text and "autonavi" not in r.text


def test_page_basemaps_and_bad_requests(client):
    amap = client.get("/map?basemap=amap").text
    assert "autonavi.com" in amap and '"basemap": "amap"' in amap
    assert client.get("/map?basemap=tianditu").status_code == 422  # no key configured
    assert client.get("/map?basemap=google").status_code == 422
    assert client.get("/map?layers=houses,nope").status_code == 422
    only = client.get("/map?layers=houses").text
    assert only.count(".addTo(map_") < client.get("/map").text.count(".addTo(map_")
    assert client.get("/static/map/../routes.py").status_code == 404
    assert client.get("/static/map/js/nope.js").status_code == 404


def _overlays(html: str) -> set[str]:
    """Overlay keys the page wires up (`QZF.start({... layers: {"key": var, ...}})`)."""
    refs = re.search(r"layers: \{([^}]*)\}", html)
    assert refs, "no QZF.start in the page"
    return set(re.findall(r'"(\w+)":', refs.group(1)))


def test_each_role_gets_the_layers_it_may_see(client):
    police = _overlays(client.get(f"/map?as_of={D}").text)
    assert {"incidents", "hotspots", "routes", "houses", "overdue"} <= police
    leader = client.get(f"/map?as_of={D}", headers=auth_headers(client.app, "leader")).text
    # Leaders see hot spots (an aggregate) and the ranking, never incident records.
    assert "incidents" not in _overlays(leader) and "hotspots" in _overlays(leader)
    assert '"scores": "/analytics/scores"' in leader
    village = auth_headers(client.app, "village", unit="甲村")
    page = client.get(f"/map?as_of={D}", headers=village).text
    assert not {"incidents", "hotspots", "routes"} & _overlays(page)
    assert client.get(f"/map/data/incidents.geojson?as_of={D}", headers=village).status_code == 403
    # A village sees only its own houses (row-level security under the map's own query).
    assert count_as(client, village, "houses", f"as_of={D}") == 4
    assert client.get("/map", headers={"Authorization": ""}).status_code == 401


def count_as(client: TestClient, headers: dict[str, str], layer: str, query: str) -> int:
    r = client.get(f"/map/data/{layer}.geojson?{query}", headers=headers)
    assert r.status_code == 200, r.text
    return len(r.json()["features"])
