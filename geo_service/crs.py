"""China's coordinate systems: WGS84 / CGCS2000 (stored), GCJ-02 (Amap, Tencent) and BD-09 (Baidu).

CGCS2000 differs from WGS84 by centimetres, so it is stored as equal. GCJ-02 is the
obfuscated system every licensed Chinese web map uses; its forward formula is the well-known
public one (as in eviltransform / coordtransform). Its inverse has no closed form: the
inverse here iterates the forward formula until the residual is below 1e-10° (~0.01 mm), so
round trips are exact far beyond the 0.5 m the import must hold.

All functions take scalars or array-likes (numpy-vectorised) and return numpy values of the
same shape.

>>> lon, lat = wgs84_to_gcj02(120.07, 31.70)
>>> back = gcj02_to_wgs84(lon, lat)
>>> round(float(back[0]), 9), round(float(back[1]), 9)
(120.07, 31.7)
"""

from collections.abc import Callable
from enum import StrEnum

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

from geo_service.errors import ValidationError

Pair = tuple[NDArray[np.float64], NDArray[np.float64]]

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as the GCJ-02 formula uses it
_EE = 0.00669342162296594323  # its eccentricity squared
_X_PI = np.pi * 3000.0 / 180.0
_TOLERANCE_DEG = 1e-10
_MAX_ITER = 30


class CoordSystem(StrEnum):
    """坐标系 of an input coordinate."""

    WGS84 = "WGS84"
    CGCS2000 = "CGCS2000"
    GCJ02 = "GCJ02"
    BD09 = "BD09"


_ALIASES = {
    "WGS84": CoordSystem.WGS84,
    "WGS1984": CoordSystem.WGS84,
    "EPSG:4326": CoordSystem.WGS84,
    "4326": CoordSystem.WGS84,
    "GPS": CoordSystem.WGS84,
    "CGCS2000": CoordSystem.CGCS2000,
    "CGCS": CoordSystem.CGCS2000,
    "EPSG:4490": CoordSystem.CGCS2000,
    "4490": CoordSystem.CGCS2000,
    "国家2000": CoordSystem.CGCS2000,
    "2000国家大地坐标系": CoordSystem.CGCS2000,
    "天地图": CoordSystem.CGCS2000,
    "GCJ02": CoordSystem.GCJ02,
    "GCJ": CoordSystem.GCJ02,
    "火星坐标": CoordSystem.GCJ02,
    "火星坐标系": CoordSystem.GCJ02,
    "国测局坐标": CoordSystem.GCJ02,
    "高德": CoordSystem.GCJ02,
    "腾讯": CoordSystem.GCJ02,
    "BD09": CoordSystem.BD09,
    "BD09LL": CoordSystem.BD09,
    "百度": CoordSystem.BD09,
    "百度坐标": CoordSystem.BD09,
}


def parse_coord_system(name: str | None, default: CoordSystem = CoordSystem.WGS84) -> CoordSystem:
    """The coordinate system a user wrote (`WGS84`, `gcj-02`, `火星坐标`, `BD09`, …).

    Empty means `default`; anything unknown raises `ValidationError`.
    """
    if name is None or not str(name).strip():
        return default
    key = str(name).strip().upper().replace("-", "").replace("_", "").replace(" ", "")
    if key in _ALIASES:
        return _ALIASES[key]
    raise ValidationError(f"unknown coordinate system {name!r} (无法识别的坐标系)")


def _arrays(lon: ArrayLike, lat: ArrayLike) -> Pair:
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def _out(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> Pair:
    # 0-d arrays come back as numpy scalars, so scalar callers get scalars.
    return lon[()], lat[()]


def out_of_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """True where GCJ-02 applies no shift (outside the rough bounding box of China)."""
    x, y = _arrays(lon, lat)
    return (x < 72.004) | (x > 137.8347) | (y < 0.8293) | (y > 55.8271)


def _delta(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> Pair:
    """The GCJ-02 offset (degrees) at WGS84 (lon, lat)."""
    x, y = lon - 105.0, lat - 35.0
    d_lat = (
        -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )  # fmt: skip
    d_lon = (
        300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )  # fmt: skip
    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    outside = out_of_china(lon, lat)
    return np.where(outside, 0.0, d_lon), np.where(outside, 0.0, d_lat)


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> Pair:
    """WGS84 → GCJ-02 (the public forward formula)."""
    x, y = _arrays(lon, lat)
    d_lon, d_lat = _delta(x, y)
    return _out(x + d_lon, y + d_lat)


def _invert(
    forward: Callable[[ArrayLike, ArrayLike], Pair], lon: ArrayLike, lat: ArrayLike
) -> Pair:
    """Solve forward(w) = g for w by fixed-point iteration (the maps are near-translations)."""
    gx, gy = _arrays(lon, lat)
    wx, wy = gx.copy(), gy.copy()
    for _ in range(_MAX_ITER):
        fx, fy = (np.asarray(v) for v in forward(wx, wy))
        ex, ey = gx - fx, gy - fy
        wx, wy = wx + ex, wy + ey
        if np.all(np.abs(ex) < _TOLERANCE_DEG) and np.all(np.abs(ey) < _TOLERANCE_DEG):
            break
    return _out(wx, wy)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> Pair:
    """GCJ-02 → WGS84, iterative inverse (residual < 1e-10°)."""
    return _invert(wgs84_to_gcj02, lon, lat)


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> Pair:
    """GCJ-02 → BD-09 (Baidu's published formula)."""
    x, y = _arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return _out(z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> Pair:
    """BD-09 → GCJ-02, iterative inverse of `gcj02_to_bd09`."""
    return _invert(gcj02_to_bd09, lon, lat)


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> Pair:
    """WGS84 → BD-09."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> Pair:
    """BD-09 → WGS84."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def to_wgs84(lon: ArrayLike, lat: ArrayLike, system: CoordSystem | str) -> Pair:
    """Coordinates in `system` → WGS84 (CGCS2000 is taken as equal to WGS84)."""
    system = parse_coord_system(system) if isinstance(system, str) else system
    if system is CoordSystem.GCJ02:
        return gcj02_to_wgs84(lon, lat)
    if system is CoordSystem.BD09:
        return bd09_to_wgs84(lon, lat)
    return _out(*_arrays(lon, lat))


def from_wgs84(lon: ArrayLike, lat: ArrayLike, system: CoordSystem | str) -> Pair:
    """WGS84 → `system`, e.g. for drawing on a GCJ-02 (Amap) or BD-09 (Baidu) basemap."""
    system = parse_coord_system(system) if isinstance(system, str) else system
    if system is CoordSystem.GCJ02:
        return wgs84_to_gcj02(lon, lat)
    if system is CoordSystem.BD09:
        return wgs84_to_bd09(lon, lat)
    return _out(*_arrays(lon, lat))


def transform_geometry(
    geom: "shapely.Geometry | np.ndarray", system: CoordSystem | str, *, to: bool = True
):
    """Shapely geometry (or array of them) from `system` to WGS84 (`to=True`) or back."""
    convert = to_wgs84 if to else from_wgs84

    def _xy(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = convert(coords[:, 0], coords[:, 1], system)
        return np.column_stack([x, y])

    return shapely.transform(geom, _xy)


def haversine_m(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> NDArray:
    """Great-circle distance in metres (mean Earth radius), vectorised."""
    x1, y1 = _arrays(lon1, lat1)
    x2, y2 = _arrays(lon2, lat2)
    p1, p2 = np.radians(y1), np.radians(y2)
    dp, dl = p2 - p1, np.radians(x2 - x1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return (2 * 6371008.8 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))))[()]


def bearing_deg(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> NDArray:
    """Initial bearing from point 1 to point 2, degrees clockwise from north, vectorised."""
    x1, y1 = _arrays(lon1, lat1)
    x2, y2 = _arrays(lon2, lat2)
    p1, p2, dl = np.radians(y1), np.radians(y2), np.radians(x2 - x1)
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return (np.degrees(np.arctan2(y, x)) % 360.0)[()]
