"""OGC API – Features against a real server: GDAL's OAPIF driver lists and reads the collections,
and the HTTP answers follow Part 1 (links, paging, numberMatched, GeoJSON content type, 400/404).
Expected features come from the hand-made town in `spatial_data` (see its docstring)."""

from collections.abc import Iterator

import httpx
import pyogrio
import pytest
from spatial_data import load, police_headers, running_server

from layers.registry import LAYERS

GEOJSON = "application/geo+json"


@pytest.fixture(scope="module")
def town(engine) -> dict[str, int]:
    return load(engine)


@pytest.fixture(scope="module")
def headers(db_url: str, town, tmp_path_factory) -> Iterator[dict[str, str]]:
    """Login headers (when the app has access control), for httpx and for GDAL — which sends
    a header file's lines with every request (its GDAL_HTTP_HEADERS is overridden by the
    OAPIF driver's own Accept header)."""
    h = police_headers(db_url)
    if h:
        path = tmp_path_factory.mktemp("gdal") / "headers.txt"
        path.write_text("".join(f"{k}: {v}\n" for k, v in h.items()))
        pyogrio.set_gdal_config_options({"GDAL_HTTP_HEADER_FILE": str(path)})
    yield h
    pyogrio.set_gdal_config_options({"GDAL_HTTP_HEADER_FILE": None})


@pytest.fixture(scope="module")
def base(db_url: str, headers) -> Iterator[str]:
    with running_server(db_url) as url:
        yield url


@pytest.fixture(scope="module")
def http(base: str, headers) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=20, headers=headers) as client:
        yield client


def test_gdal_lists_every_collection(base):
    layers = pyogrio.list_layers(f"OAPIF:{base}/ogc")
    assert sorted(name for name, _ in layers) == sorted(LAYERS)


def test_gdal_reads_houses_following_next_links(base, town):
    # PAGE_SIZE=2 makes GDAL page through 4 located houses (H5 has no point) by `next` links.
    df = pyogrio.read_dataframe(f"OAPIF:{base}/ogc", layer="houses", PAGE_SIZE=2)
    assert sorted(df["house_code"]) == ["H1", "H2", "H3", "H4"]
    assert "landlord_phone" not in df.columns and "landlord_id_number" not in df.columns
    assert "landlord_name" not in df.columns
    h1 = df.set_index("house_code").loc["H1"]
    assert (round(h1.geometry.x, 6), round(h1.geometry.y, 6)) == (120.01, 31.7)
    assert str(df.crs) == "OGC:CRS84" or df.crs.to_epsg() == 4326


def test_gdal_reads_hazards_with_attribute_filter(base):
    # Today every hazard of the town is past its deadline or rectified; Z6 is found by now too.
    df = pyogrio.read_dataframe(f"OAPIF:{base}/ogc", layer="hazards", where="severity = 'major'")
    assert sorted(df["hazard_code"]) == ["Z1", "Z3", "Z4", "Z6"]  # Z7's house has no point
    assert set(df["category_zh"]) == {
        "违规使用液化气瓶",
        "违规使用明火",
        "逃生通道不畅通",
        "电瓶车违规停放、充电",
    }


def test_landing_conformance_and_openapi(http):
    landing = http.get("/ogc").json()
    rels = {link["rel"]: link["href"] for link in landing["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= set(rels)
    conf = http.get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conf
    paths = http.get("/openapi.json").json()["paths"]
    assert "/ogc/collections/{collection_id}/items" in paths


def test_collection_has_items_link_and_extent(http):
    c = http.get("/ogc/collections/houses").json()
    assert any(lk["rel"] == "items" and lk["type"] == GEOJSON for lk in c["links"])
    # ST_Extent is a float4 box: it may grow by a few 1e-6 degrees.
    assert c["extent"]["spatial"]["bbox"][0] == pytest.approx(
        [120.01, 31.69, 120.08, 31.71], abs=1e-5
    )
    assert http.get("/ogc/collections/nope").status_code == 404


def test_items_paging_and_counts(http):
    r = http.get("/ogc/collections/hazards/items", params={"as_of": "2025-03-01", "limit": 4})
    assert r.status_code == 200 and r.headers["content-type"] == GEOJSON
    body = r.json()
    # On 2025-03-01: Z1..Z5 and Z8 are found and located (Z6 later, Z7 without a point) → 6.
    assert body["numberMatched"] == 6 and body["numberReturned"] == 4
    assert [f["properties"]["hazard_code"] for f in body["features"]] == ["Z1", "Z2", "Z3", "Z4"]
    nxt = next(lk["href"] for lk in body["links"] if lk["rel"] == "next")
    second = http.get(nxt).json()
    assert [f["properties"]["hazard_code"] for f in second["features"]] == ["Z5", "Z8"]
    assert second["numberReturned"] == 2 and not any(lk["rel"] == "next" for lk in second["links"])


def test_status_as_of_a_date(http):
    fc = http.get("/ogc/collections/hazards/items", params={"as_of": "2025-03-01"}).json()
    status = {f["properties"]["hazard_code"]: f["properties"]["status"] for f in fc["features"]}
    assert status == {
        "Z1": "overdue",
        "Z2": "open",
        "Z3": "rectified",
        "Z4": "open",
        "Z5": "overdue",  # rectified on 03-10, after the as-of day
        "Z8": "open",  # due 03-01: the deadline day itself is not late
    }
    z5 = next(f for f in fc["features"] if f["properties"]["hazard_code"] == "Z5")
    assert z5["properties"]["rectified_on"] is None


def test_property_filters_and_bbox(http, town):
    def codes(layer: str, **params) -> list[str]:
        r = http.get(f"/ogc/collections/{layer}/items", params=params)
        assert r.status_code == 200, r.text
        key = "hazard_code" if layer in ("hazards", "overdue") else "house_code"
        return sorted(f["properties"][key] for f in r.json()["features"])

    day = "2025-03-01"
    assert codes("hazards", as_of=day, status="overdue") == ["Z1", "Z5"]
    assert codes("hazards", as_of=day, category="lpg_cylinder,open_flame") == ["Z1", "Z3"]
    assert codes("hazards", as_of=day, unit_id=town["B"], severity="major") == ["Z4"]
    assert codes("hazards", as_of=day, key_area_kind="urban_village") == ["Z1", "Z2", "Z3"]
    assert codes("hazards", as_of=day, date_from="2025-02-01", date_to="2025-02-20") == [
        "Z1",
        "Z3",
    ]
    assert codes("overdue", as_of=day) == ["Z1", "Z5"]
    assert codes("houses", bbox="120.005,31.695,120.015,31.705") == ["H1"]


def test_overdue_days(http):
    fc = http.get("/ogc/collections/overdue/items", params={"as_of": "2025-03-01"}).json()
    days = {f["properties"]["hazard_code"]: f["properties"]["days_overdue"] for f in fc["features"]}
    assert days == {"Z1": 21, "Z5": 59}  # Feb 8 → Mar 1; Jan 1 → Mar 1 (31 + 28)


def test_incidents_by_datetime_interval(http):
    r = http.get("/ogc/collections/incidents/items", params={"datetime": "2025-02-01/2025-02-10"})
    assert r.headers["cache-control"].startswith("private")
    codes = sorted(f["properties"]["incident_code"] for f in r.json()["features"])
    assert codes == ["I1", "I4"]  # I4 is 2025-02-10 03:00 town time (02-09 19:00 UTC)


def test_one_item_and_errors(http, town):
    r = http.get(f"/ogc/collections/houses/items/{town['H2']}")
    assert r.status_code == 200 and r.headers["content-type"] == GEOJSON
    assert r.json()["properties"]["house_code"] == "H2"
    assert http.get("/ogc/collections/houses/items/999999").status_code == 404
    bad = http.get("/ogc/collections/houses/items", params={"colour": "red"})
    assert bad.status_code == 400 and "colour" in bad.json()["description"]
    assert http.get("/ogc/collections/hazards/items", params={"category": "x"}).status_code == 400
    assert http.get("/ogc/collections/houses/items", params={"bbox": "1,2,3"}).status_code == 400
