"""Mapbox Vector Tiles decode to the right features in the right tile, with the layer filters.
Data: the hand-made town of `spatial_data` (see its docstring)."""

import math
from collections.abc import Iterator

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient
from spatial_data import AS_OF, H, as_police, load

from geo_service.api.app import create_app
from geo_service.config import Settings

MVT = "application/vnd.mapbox-vector-tile"


def tile_of(lon: float, lat: float, z: int) -> tuple[int, float, float]:
    """(z, fractional x, fractional y) of a point in the XYZ scheme (written out, not PostGIS)."""
    n = 2**z
    x = (lon + 180) / 360 * n
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return z, x, y


@pytest.fixture(scope="module")
def client(engine, db_url: str) -> Iterator[TestClient]:
    load(engine)
    with TestClient(create_app(Settings(database_url=db_url))) as c:
        yield as_police(c)


def decode(data: bytes) -> dict:
    return mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})


def test_house_tile_holds_its_house_at_its_pixel(client):
    z, fx, fy = tile_of(*H["H1"], 14)
    r = client.get(f"/tiles/houses/{z}/{int(fx)}/{int(fy)}.pbf")
    assert r.status_code == 200 and r.headers["content-type"] == MVT
    assert r.headers["cache-control"] == "private, max-age=60"
    feats = decode(r.content)["houses"]["features"]
    assert [f["properties"]["house_code"] for f in feats] == ["H1"]
    px, py = feats[0]["geometry"]["coordinates"]
    # Position inside the tile, in the 4096-unit tile space.
    assert abs(px - (fx - int(fx)) * 4096) <= 1 and abs(py - (fy - int(fy)) * 4096) <= 1
    assert "address" not in feats[0]["properties"]  # long text stays out of tiles
    assert "landlord_phone" not in feats[0]["properties"]


def test_hazard_tile_as_of_and_filters(client):
    z, fx, fy = tile_of(*H["H3"], 14)
    url = f"/tiles/hazards/{z}/{int(fx)}/{int(fy)}.pbf"
    feats = decode(client.get(url, params={"as_of": AS_OF.isoformat()}).content)["hazards"]
    by_code = {f["properties"]["hazard_code"]: f["properties"] for f in feats["features"]}
    # H3 holds Z4 (open) and Z5 (overdue on AS_OF: rectified only on 03-10).
    assert {k: v["status"] for k, v in by_code.items()} == {"Z4": "open", "Z5": "overdue"}
    assert by_code["Z4"]["found_on"] == "2025-02-25"

    def codes(**params: str) -> list[str]:
        r = client.get(url, params=params)
        if r.status_code == 204:
            return []
        return sorted(
            f["properties"]["hazard_code"] for f in decode(r.content)["hazards"]["features"]
        )

    assert codes(as_of="2025-03-01", status="overdue") == ["Z5"]
    assert codes(as_of="2025-03-01", status="rectified") == []  # 204: empty tile
    # On 03-10 Z4 is past its deadline (03-04) and Z5 has just been rectified.
    assert codes(as_of="2025-03-10", status="overdue") == ["Z4"]
    assert codes(as_of="2025-03-10", status="rectified", severity="general") == ["Z5"]
    assert codes(as_of="2025-03-10", category="blocked_escape,lpg_cylinder") == ["Z4"]
    assert codes(as_of="2025-02-24") == ["Z5"]  # Z4 not found yet


def test_empty_tile_is_204_and_bad_tiles_are_errors(client):
    r = client.get("/tiles/houses/14/0/0.pbf")
    assert r.status_code == 204 and r.content == b""
    assert r.headers["cache-control"] == "private, max-age=60"
    assert client.get("/tiles/houses/3/8/0.pbf").status_code == 404  # x beyond 2^3 - 1
    assert client.get("/tiles/nope/3/1/1.pbf").status_code == 404
    assert client.get("/tiles/houses/3/1/1.pbf", params={"colour": "red"}).status_code == 422


def test_polygon_and_sensitive_layers(client):
    z, fx, fy = tile_of(120.05, 31.70, 10)  # the whole town lies in this z10 tile
    units = decode(client.get(f"/tiles/units/{z}/{int(fx)}/{int(fy)}.pbf").content)["units"]
    assert sorted(f["properties"]["name"] for f in units["features"]) == ["东村", "西社区"]
    assert all(f["geometry"]["type"] == "Polygon" for f in units["features"])
    r = client.get(f"/tiles/incidents/{z}/{int(fx)}/{int(fy)}.pbf", params={"as_of": "2025-03-01"})
    assert r.headers["cache-control"] == "private, no-store"
    codes = sorted(
        f["properties"]["incident_code"] for f in decode(r.content)["incidents"]["features"]
    )
    assert codes == ["I1", "I2", "I3", "I4"]  # I5 happened on 03-02


def test_tilejson_carries_filters(client):
    tj = client.get("/tiles/hazards.json", params={"status": "overdue"}).json()
    assert tj["tilejson"] == "3.0.0"
    assert tj["tiles"][0].endswith("/tiles/hazards/{z}/{x}/{y}.pbf?status=overdue")
    assert tj["vector_layers"][0]["id"] == "hazards"
    assert tj["vector_layers"][0]["fields"]["severity"] == "String"
    assert tj["bounds"] == pytest.approx([120.01, 31.69, 120.08, 31.71], abs=1e-5)
