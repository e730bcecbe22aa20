"""The API's promises about errors, found by fuzzing it (bench/api_fuzz.py, schemathesis):
422 bodies match the OpenAPI description, and a NUL character is a 422, never a 500."""

from access_helpers import auth_headers
from fastapi.testclient import TestClient

from geo_service.api.app import create_app
from geo_service.config import Settings

_JSON_TYPE = {str: "string", list: "array"}


def test_422_bodies_match_the_openapi_description(db_url):
    with TestClient(create_app(Settings(database_url=db_url))) as client:
        headers = auth_headers(client.app, "supervisor")
        openapi = client.get("/openapi.json", headers=headers).json()
        # A domain error (one line) and a request that does not fit its parameters (a list).
        one_line = client.get("/tiles/hazards/14/1/1.pbf?category=nope", headers=headers)
        listed = client.get("/tiles/hazards/x/1/1.pbf", headers=headers)
    detail = openapi["components"]["schemas"]["HTTPValidationError"]["properties"]["detail"]
    declared = {alt.get("type") for alt in detail["anyOf"]}
    assert declared == {"string", "array"}
    assert one_line.status_code == 422 and isinstance(one_line.json()["detail"], str)
    assert listed.status_code == 422 and isinstance(listed.json()["detail"], list)
    for r in (one_line, listed):
        assert _JSON_TYPE[type(r.json()["detail"])] in declared


def test_a_nul_character_is_a_422_not_a_500(db_url):
    with TestClient(create_app(Settings(database_url=db_url))) as client:
        headers = auth_headers(client.app, "supervisor")
        r = client.get("/ogc/collections/houses/items?geocode_method=a%00b", headers=headers)
    assert r.status_code == 422
    assert "NUL" in r.json()["detail"]


def test_an_absurd_due_within_is_a_422_not_a_500(db_url):
    with TestClient(create_app(Settings(database_url=db_url))) as client:
        headers = auth_headers(client.app, "supervisor")
        for path in ("/analytics/overdue", "/analytics/overdue.geojson"):
            r = client.get(f"{path}?due_within=101641711435", headers=headers)
            assert r.status_code == 422, (path, r.status_code)


def test_an_empty_unit_filter_on_incident_analytics_means_every_unit(demo_url):
    with TestClient(create_app(Settings(database_url=demo_url))) as client:
        headers = auth_headers(client.app, "police")
        for path in ("/analytics/incidents/hotspots", "/analytics/incidents/units"):
            empty = client.get(f"{path}?unit_id=", headers=headers)
            absent = client.get(path, headers=headers)
            assert empty.status_code == absent.status_code == 200, path
            assert empty.json() == absent.json()
