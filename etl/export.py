"""`geo-service demo export DIR`: a database written out as the import templates.

One workbook `台账.xlsx` (sheets 单位, 群租房, 隐患, 检查记录, 警情 with the template headers;
dates as Excel date cells, yes/no as 是/否) and one GeoJSON per layer (单位边界, the key-area kinds,
学校, 道路, 标准地址). Importing them into an empty database reproduces the data: points that
came from geocoding are left out (经度/纬度 empty) so the import geocodes them again the same
way; points that were given are exported with 坐标系 WGS84.
"""

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from openpyxl import Workbook

from etl.templates import HAZARDS, HOUSES, INCIDENTS, INSPECTIONS, SHEETS, UNITS, Sheet
from geo_service.clock import town_tz
from geo_service.domain.vocabulary import (
    INSPECTION_KIND_ZH,
    KEY_AREA_KIND_ZH,
    SEVERITY_ZH,
    KeyAreaKind,
)
from geo_service.sqlfiles import script

WORKBOOK = "台账.xlsx"
_YES_NO = {True: "是", False: "否"}
_UNIT_KIND_ZH = {"village": "村", "community": "社区", "department": "部门"}


def _query(conn, name: str) -> pd.DataFrame:
    text = script("etl", f"sql/export_{name}.sql")
    with conn.cursor() as cur:
        cur.execute(text)
        cols = [d.name for d in cur.description]
        return pd.DataFrame(cur.fetchall(), columns=cols, dtype=object)


def _sheet(wb: Workbook, sheet: Sheet, frame: pd.DataFrame) -> None:
    """Write `frame` (columns named by field) under the template's headers, in its order."""
    ws = wb.create_sheet(sheet.name)
    columns = [c for c in sheet.columns if c.field in frame.columns]
    ws.append([c.header for c in columns])
    for row in frame[[c.field for c in columns]].itertuples(index=False):
        cells = []
        for col, value in zip(columns, row, strict=True):
            if value is None or (isinstance(value, float) and pd.isna(value)):
                cells.append(None)
            elif col.kind == "bool":
                cells.append(_YES_NO[bool(value)])
            elif col.kind == "datetime":
                cells.append(value.replace(tzinfo=None))  # Excel has no zones: Beijing time
            else:
                cells.append(value)
        ws.append(cells)
    for cell in ws[1]:
        ws.column_dimensions[cell.column_letter].width = max(10, 2 * len(str(cell.value)) + 2)


def blank_templates() -> bytes:
    """上报模板: an empty workbook with every template sheet and its headers (required ones
    marked （必填）, which the import reads past), for villages to fill in."""
    import io

    wb = Workbook()
    wb.remove(wb.active)
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.name)
        ws.append([f"{c.header}（必填）" if c.required else c.header for c in sheet.columns])
        for cell in ws[1]:
            ws.column_dimensions[cell.column_letter].width = max(10, 2 * len(str(cell.value)) + 2)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _workbook(conn, directory: Path) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    units = _query(conn, "units")
    units["kind_zh"] = units["kind"].map(_UNIT_KIND_ZH)
    _sheet(wb, UNITS, units)
    _sheet(wb, HOUSES, _query(conn, "houses"))
    hazards = _query(conn, "hazards")
    hazards["severity_zh"] = hazards["severity"].map(lambda s: SEVERITY_ZH[s])
    _sheet(wb, HAZARDS, hazards)
    inspections = _query(conn, "inspections")
    inspections["kind_zh"] = inspections["kind"].map(lambda k: INSPECTION_KIND_ZH[k])
    _sheet(wb, INSPECTIONS, inspections)
    incidents = _query(conn, "incidents")
    incidents["occurred_at"] = incidents["occurred_at"].map(
        lambda t: t.astimezone(town_tz()) if t is not None else None
    )
    _sheet(wb, INCIDENTS, incidents)
    path = directory / WORKBOOK
    wb.save(path)
    return path


def _layer(frame: pd.DataFrame, path: Path) -> Path | None:
    if frame.empty:
        return None
    geoms = shapely.from_wkb(frame.pop("wkb").map(bytes).tolist())
    gdf = gpd.GeoDataFrame(frame, geometry=geoms, crs=4326)
    pyogrio.write_dataframe(gdf, path, driver="GeoJSON", layer_options={"RFC7946": "NO"})
    return path


def export_database(conn, directory: Path) -> list[Path]:
    """Write the templates and layers of the database `conn` points at into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    conn.set_session(readonly=True)
    written: list[Path | None] = [
        _layer(_query(conn, "boundaries"), directory / "单位边界.geojson"),
    ]
    areas = _query(conn, "key_areas")
    for kind in KeyAreaKind:
        part = areas[areas["kind"] == kind.value].drop(columns="kind")
        written.append(_layer(part, directory / f"{KEY_AREA_KIND_ZH[kind]}.geojson"))
    written.append(_layer(_query(conn, "schools"), directory / "学校.geojson"))
    written.append(_layer(_query(conn, "roads"), directory / "道路.geojson"))
    written.append(_layer(_query(conn, "addresses"), directory / "标准地址.geojson"))
    written.append(_workbook(conn, directory))
    conn.rollback()
    return [p for p in written if p is not None]
