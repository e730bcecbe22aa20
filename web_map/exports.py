"""Exports of what the map shows: houses or hazards under the current filters (optionally only
the current view) as GeoJSON, CSV (UTF-8 with BOM, so Excel reads the Chinese) or XLSX.

The rows are the registered layers' under the request's scope (the same houses and hazards
as /ogc, /tiles and the map's overlays). No personal data is exported: landlords' names and
phones stay in the popups, where access control masks them.
"""

import csv
import io
from datetime import date
from typing import Any
from urllib.parse import urlencode

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import Connection

from geo_service.domain.vocabulary import SEVERITY_ZH, Severity
from geo_service.errors import ValidationError
from geo_service.geojson import feature_collection
from geo_service.scope import STATUS_ZH, Scope
from geo_service.spatial import items
from web_map.queries import selection

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
# Export column → the layer's column it is read from, where they differ.
_SOURCE = {"category": "category_zh"}


def rows(conn: Connection, layer: str, scope: Scope) -> list[dict[str, Any]]:
    """The rows of `layer` (houses or hazards) under the scope (its bbox: only what is in
    view), by code, with the columns of COLUMNS in their order."""
    if layer not in COLUMNS:
        raise ValidationError(f"不能导出该图层 cannot export layer {layer!r} (houses, hazards)")
    names = [k for k, _ in COLUMNS[layer] if k not in ("lon", "lat")]
    found = items.rows(conn, selection(conn, layer, scope), [_SOURCE.get(k, k) for k in names])
    out = [{k: r[_SOURCE.get(k, k)] for k in names} | {"lon": r["lon"], "lat": r["lat"]}
           for r in found]  # fmt: skip
    return sorted(out, key=lambda r: r[names[0]])


def _cell(key: str, value: Any) -> Any:
    """A value as a person reads it: 是/否, Chinese status, blanks for missing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "status":
        return STATUS_ZH.get(value, value)
    if key == "severity":
        return SEVERITY_ZH[Severity(value)]
    return value


def to_geojson(layer: str, data: list[dict[str, Any]]) -> str:
    """A FeatureCollection of points (WGS84), properties with the English column names."""
    features = []
    for r in data:
        props = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in r.items()}
        if "severity" in props:
            props["severity"] = _cell("severity", props["severity"])
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


def to_xlsx(layer: str, data: list[dict[str, Any]], scope: Scope, filters: dict[str, str]) -> bytes:
    """One sheet with the Chinese headers, dates as dates, the filters noted below the title."""
    wb = Workbook()
    ws = wb.active
    ws.title = TITLES[layer]
    ws.append([f"{TITLES[layer]}（截至 {scope.as_of.isoformat()}）"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([f"筛选条件：{urlencode(filters) or '无'}"])
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
