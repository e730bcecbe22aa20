"""Exports of what the map shows: houses or hazards under the current filters (optionally only
the current view) as GeoJSON, CSV (UTF-8 with BOM, so Excel reads the Chinese) or XLSX.

No personal data is exported: landlords' names and phones stay in the popups, where access
control masks them.
"""

import csv
import io
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import Connection, text

from geo_service.errors import ValidationError
from geo_service.geojson import feature_collection
from web_map.filters import STATUS_ZH, MapFilters
from web_map.queries import sql

Bbox = tuple[float, float, float, float]

# Column → Chinese header, per exportable layer (the order of the sheet).
COLUMNS: dict[str, list[tuple[str, str]]] = {
    "houses": [
        ("house_code", "房屋编号"),
        ("unit_name", "所属单位"),
        ("address", "地址"),
        ("rooms", "出租居室数"),
        ("beds", "床位数"),
        ("tenants", "租住人数"),
        ("registered_tenants", "已登记租住人数"),
        ("is_registered", "是否登记"),
        ("pledge_signed", "是否签订治安责任保证书"),
        ("cctv_installed", "是否安装视频监控"),
        ("cctv_retention_days", "监控保存天数"),
        ("is_self_built", "是否自建房"),
        ("last_inspected_on", "最近检查日期"),
        ("open_hazards", "未整改隐患"),
        ("overdue_hazards", "逾期未整改隐患"),
        ("lon", "经度"),
        ("lat", "纬度"),
    ],
    "hazards": [
        ("hazard_code", "隐患编号"),
        ("house_code", "房屋编号"),
        ("unit_name", "所属单位"),
        ("address", "地址"),
        ("category", "隐患类别"),
        ("severity", "隐患等级"),
        ("found_on", "发现日期"),
        ("due_on", "整改期限"),
        ("transferred_on", "流转日期"),
        ("rectified_on", "整改日期"),
        ("status", "状态"),
        ("days_overdue", "逾期天数"),
        ("lon", "经度"),
        ("lat", "纬度"),
    ],
}
TITLES = {"houses": "群租房", "hazards": "安全隐患"}


def parse_bbox(value: str | None) -> Bbox | None:
    """`west,south,east,north` in degrees, or None."""
    if not value:
        return None
    bad = ValidationError(f"视野范围无效 invalid bbox: {value!r} (west,south,east,north)")
    try:
        w, s, e, n = (float(v) for v in value.split(","))
    except ValueError:
        raise bad from None
    if w > e or s > n:
        raise bad
    return w, s, e, n


def rows(conn: Connection, layer: str, f: MapFilters, bbox: Bbox | None) -> list[dict[str, Any]]:
    """The rows of `layer` (houses or hazards) under the filters, in the order of COLUMNS."""
    if layer not in COLUMNS:
        raise ValidationError(f"不能导出该图层 cannot export layer {layer!r} (houses, hazards)")
    params = f.sql_params() | dict(
        zip(("bbox_w", "bbox_s", "bbox_e", "bbox_n"), bbox or (None,) * 4, strict=True)
    )
    return [dict(r) for r in conn.execute(text(sql(f"export_{layer}")), params).mappings()]


def _cell(key: str, value: Any) -> Any:
    """A value as a person reads it: 是/否, Chinese status, blanks for missing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "status":
        return STATUS_ZH.get(value, value)
    return value


def to_geojson(layer: str, data: list[dict[str, Any]]) -> str:
    """A FeatureCollection of points (WGS84), properties with the English column names."""
    features = []
    for r in data:
        props = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in r.items()}
        lon, lat = float(props.pop("lon")), float(props.pop("lat"))
        features.append(
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
             "properties": props}
        )  # fmt: skip
    return feature_collection(features, name=layer)


def to_csv(layer: str, data: list[dict[str, Any]]) -> bytes:
    """CSV with the Chinese headers, UTF-8 with a BOM (Excel opens it correctly)."""
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow([zh for _, zh in COLUMNS[layer]])
    for r in data:
        out.writerow([_cell(k, r[k]) for k, _ in COLUMNS[layer]])
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(layer: str, data: list[dict[str, Any]], f: MapFilters) -> bytes:
    """One sheet with the Chinese headers, dates as dates, the filters noted below the title."""
    wb = Workbook()
    ws = wb.active
    ws.title = TITLES[layer]
    ws.append([f"{TITLES[layer]}（截至 {f.day.isoformat()}）"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([f"筛选条件：{f.query() or '无'}"])
    ws.append([zh for _, zh in COLUMNS[layer]])
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for r in data:
        ws.append([_cell(k, r[k]) for k, _ in COLUMNS[layer]])
    ws.freeze_panes = "A4"
    for col, (_, zh) in zip(ws.iter_cols(min_row=3, max_row=3), COLUMNS[layer], strict=True):
        ws.column_dimensions[col[0].column_letter].width = max(10, 2 * len(zh) + 2)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
