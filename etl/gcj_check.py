"""Detect the classic mistake: GCJ-02 (or BD-09) coordinates labelled WGS84.

Coordinates picked from Amap or Tencent maps are GCJ-02; around Changzhou they sit about
500 m east-south-east of the truth. When rows say WGS84 (or CGCS2000) but their coordinates
lie consistently 300–600 m from the standard addresses their 地址 matches — and the shift
vanishes once they are read as GCJ-02 — the file is warned about, with the evidence.
"""

import numpy as np
import pandas as pd

from etl.context import Context
from etl.geocoder import EXACT, FUZZY
from geo_service.crs import CoordSystem, bearing_deg, haversine_m, to_wgs84

MIN_ROWS = 5  # fewer matched rows are no evidence
SHIFT_RANGE_M = (300.0, 700.0)  # GCJ-02 inside China; BD-09 adds ~1 km more
CONSISTENT_SHARE = 0.7  # this share of rows must show the shift …
RESOLVED_M = 50.0  # … and reading them in the suspected system must bring them this close


def shift_evidence(
    lon: np.ndarray, lat: np.ndarray, ref_lon: np.ndarray, ref_lat: np.ndarray
) -> dict | None:
    """Evidence that WGS84-labelled points are really GCJ-02 or BD-09, or None.

    Returns ``{"system", "rows", "median_m", "bearing_deg", "median_after_m"}``.
    """
    if len(lon) < MIN_ROWS:
        return None
    d = haversine_m(lon, lat, ref_lon, ref_lat)
    for system, lo, hi in (
        (CoordSystem.GCJ02, *SHIFT_RANGE_M),
        (CoordSystem.BD09, SHIFT_RANGE_M[0], 2000.0),
    ):
        in_band = (d >= lo) & (d <= hi)
        if in_band.mean() < CONSISTENT_SHARE:
            continue
        fx, fy = to_wgs84(lon, lat, system)
        after = haversine_m(fx, fy, ref_lon, ref_lat)
        if np.median(after) <= RESOLVED_M:
            return {
                "system": system.value,
                "rows": len(lon),
                "median_m": float(np.median(d)),
                "bearing_deg": float(np.median(bearing_deg(ref_lon, ref_lat, lon, lat))),
                "median_after_m": float(np.median(after)),
            }
    return None


def check_shift(
    ctx: Context, lon: pd.Series, lat: pd.Series, systems: pd.Series, placed: pd.DataFrame
) -> None:
    """Warn (never change data) when WGS84-labelled rows look like GCJ-02 / BD-09."""
    labelled = systems.isin([CoordSystem.WGS84, CoordSystem.CGCS2000])
    sel = lon.notna() & labelled & placed["method"].isin([EXACT, FUZZY])
    if sel.sum() < MIN_ROWS:
        return
    evidence = shift_evidence(
        lon[sel].to_numpy(float),
        lat[sel].to_numpy(float),
        placed.loc[sel, "lon"].to_numpy(float),
        placed.loc[sel, "lat"].to_numpy(float),
    )
    if evidence is None:
        return
    e = evidence
    ctx.result.warnings.append(
        f"{ctx.source}: {e['rows']} 行标为 WGS84 的坐标与其地址对应的标准地址相差中位 "
        f"{e['median_m']:.0f} 米（方位 {e['bearing_deg']:.0f}°），按 {e['system']} 换算后仅差 "
        f"{e['median_after_m']:.1f} 米：这些坐标很可能是 {e['system']}，请在“坐标系”列注明或用 "
        f"--crs {e['system']} 重新导入。 / {e['rows']} rows labelled WGS84 lie a median "
        f"{e['median_m']:.0f} m (bearing {e['bearing_deg']:.0f}°) from the standard addresses "
        f"they match; read as {e['system']} they are {e['median_after_m']:.1f} m off: they are "
        f"probably {e['system']} coordinates."
    )
