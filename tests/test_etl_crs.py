"""China's coordinate systems: the GCJ-02 forward formula against published values, the
iterative inverse's round trip, BD-09, and the names users write."""

import numpy as np
import pytest

from geo_service.crs import (
    CoordSystem,
    bd09_to_wgs84,
    bearing_deg,
    from_wgs84,
    gcj02_to_wgs84,
    haversine_m,
    parse_coord_system,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from geo_service.errors import ValidationError

# (WGS84 lat, lon) → (GCJ-02 lat, lon): the test vectors of the public eviltransform library.
PUBLISHED = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
]


@pytest.mark.parametrize(("wgs", "gcj"), PUBLISHED)
def test_forward_matches_published_values(wgs, gcj):
    lon, lat = wgs84_to_gcj02(wgs[1], wgs[0])
    assert (lat, lon) == pytest.approx(gcj, abs=1e-9)


def test_inverse_round_trips_below_half_a_metre_across_china():
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(73.5, 135, 20_000), rng.uniform(18, 53.5, 20_000)
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    error = haversine_m(lon, lat, *back)
    assert error.max() < 0.5
    assert error.max() < 1e-3  # the iteration actually converges far below a millimetre


def test_shift_at_luoyang_is_about_half_a_kilometre_east_south_east():
    gx, gy = wgs84_to_gcj02(120.07, 31.70)
    assert 450 < haversine_m(120.07, 31.70, gx, gy) < 560
    assert 100 < bearing_deg(120.07, 31.70, gx, gy) < 125


def test_bd09_round_trip_and_dispatch():
    lon, lat = np.array([120.03, 120.07, 120.11]), np.array([31.66, 31.70, 31.74])
    bx, by = wgs84_to_bd09(lon, lat)
    assert haversine_m(lon, lat, bx, by).min() > 500  # BD-09 is shifted further
    assert haversine_m(lon, lat, *bd09_to_wgs84(bx, by)).max() < 1e-3
    assert haversine_m(lon, lat, *to_wgs84(*from_wgs84(lon, lat, "BD09"), "BD09")).max() < 1e-3
    assert to_wgs84(120.0, 31.0, CoordSystem.CGCS2000) == (120.0, 31.0)


def test_outside_china_no_shift():
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)


@pytest.mark.parametrize(
    ("written", "system"),
    [
        ("WGS84", CoordSystem.WGS84),
        ("wgs-84", CoordSystem.WGS84),
        ("EPSG:4490", CoordSystem.CGCS2000),
        ("国家2000", CoordSystem.CGCS2000),
        ("gcj-02", CoordSystem.GCJ02),
        ("火星坐标", CoordSystem.GCJ02),
        ("高德", CoordSystem.GCJ02),
        ("BD-09", CoordSystem.BD09),
        ("百度", CoordSystem.BD09),
        ("", CoordSystem.WGS84),
    ],
)
def test_parse_coord_system(written, system):
    assert parse_coord_system(written) is system


def test_unknown_coord_system_is_a_user_error():
    with pytest.raises(ValidationError, match="坐标系"):
        parse_coord_system("北京54")
