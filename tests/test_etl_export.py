"""`demo export` writes a database as the templates; importing them into an empty database
reproduces it. Also the `import` command end to end (exit code, summary, error workbook)."""

import etl_samples as s
import geopandas as gpd
import pytest
import shapely
from openpyxl import load_workbook
from typer.testing import CliRunner

from etl.importer import import_order
from geo_service.cli import app

# Each table by its natural key and content (ids and timestamps differ between databases).
CONTENT = {
    "units": "SELECT name, kind, has_task_list, has_annual_plan, holds_meetings, "
    "accountability_evaluated, ST_AsText(geom, 8) FROM units",
    "houses": "SELECT house_code, u.name, address, landlord_name, landlord_id_number, "
    "landlord_phone, second_landlord_name, second_landlord_registered, rooms, beds, tenants, "
    "registered_tenants, is_registered, pledge_signed, cctv_installed, cctv_retention_days, "
    "is_self_built, last_inspected_on, has_smoke_masks, has_torches, has_extinguishers, "
    "electricity_kwh_month, ST_AsText(h.geom, 8), geocode_method, geocode_confidence, "
    "needs_review FROM houses h JOIN units u ON u.id = h.unit_id",
    "hazards": "SELECT hazard_code, h.house_code, category, severity, found_on, deadline_on, "
    "due_on, posted_on_wall, entered_in_system, d.name, transferred_on, rectified_on, "
    "verified_on, description FROM hazards z JOIN houses h ON h.id = z.house_id "
    "LEFT JOIN units d ON d.id = z.department_id",
    "incidents": "SELECT incident_code, occurred_at, category, address, summary, u.name, "
    "ST_AsText(i.geom, 8), geocode_method, geocode_confidence, needs_review FROM incidents i "
    "LEFT JOIN units u ON u.id = i.unit_id",
    "key_areas": "SELECT kind, k.name, s.name, ST_AsText(k.geom, 8) FROM key_areas k "
    "LEFT JOIN schools s ON s.id = k.school_id",
    "schools": "SELECT name, ST_AsText(geom, 8) FROM schools",
    "roads": "SELECT name, road_class, oneway, speed_kmh, ST_AsText(geom, 8) FROM roads",
    "addresses": "SELECT full_address, normalized, u.name, ST_AsText(a.geom, 8) "
    "FROM addresses a LEFT JOIN units u ON u.id = a.unit_id",
}


def _content(url):
    return {t: sorted(map(repr, s.rows(url, q))) for t, q in CONTENT.items()}


@pytest.fixture(scope="module")
def source(new_database, tmp_path_factory):
    """A small database filled through the import: every table the export writes."""
    url = new_database("etl_src")
    tmp = tmp_path_factory.mktemp("etl_src")
    s.setup_town(url, tmp)
    layers = {
        "城中村.geojson": ("名称", [shapely.box(120.031, 31.681, 120.033, 31.683)]),
        "学校.geojson": ("名称", [shapely.Point(120.045, 31.685)]),
        "道路.geojson": ("名称", [shapely.LineString([(120.03, 31.683), (120.06, 31.683)])]),
    }
    for name, (attr, geoms) in layers.items():
        frame = gpd.GeoDataFrame({attr: [name[:2] + "一"]}, geometry=geoms, crs=4326)
        frame.to_file(tmp / name)
        assert not s.run_import(url, tmp / name).rejections
    rows = s.hazard_rows()
    rows[1][10] = "2026-03-08"
    headers = [*s.HAZARD_HEADERS, "复核日期"]
    rows = [[*r, None] for r in rows]
    rows[1][-1] = "2026-03-09"
    wb = s.full_workbook(tmp / "台账.xlsx")
    assert not s.run_import(url, wb).rejections
    verified = s.workbook(tmp / "z.xlsx", {"隐患": (headers, rows)})
    assert not s.run_import(url, verified).rejections
    return url


def test_export_then_import_reproduces_the_database(source, new_database, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", source)
    out = tmp_path / "export"
    result = CliRunner().invoke(app, ["demo", "export", str(out)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["台账.xlsx", "单位边界.geojson", "城中村.geojson", "学校.geojson",
                            "道路.geojson", "标准地址.geojson"])  # fmt: skip
    wb = load_workbook(out / "台账.xlsx")
    assert wb.sheetnames == ["单位", "群租房", "隐患", "检查记录", "警情"]  # 检查记录: issue 16
    assert wb["群租房"]["A1"].value == "房屋编号"
    assert wb["隐患"]["E2"].is_date  # 发现日期 written as an Excel date cell

    target = new_database("etl_dst")
    for path in import_order(sorted(out.iterdir())):
        got = s.run_import(target, path)
        assert not got.rejections and not got.error, (path, got.rejections)
    assert _content(target) == _content(source)


def test_import_command_end_to_end(source, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", source)
    rows = s.house_rows()
    rows[0][s.HOUSE_HEADERS.index("所属单位")] = "火星村"
    wb = s.workbook(tmp_path / "村报表.xlsx", {"群租房": (s.HOUSE_HEADERS, rows)})
    runner = CliRunner()
    result = runner.invoke(app, ["import", str(wb), "--actor", "tester"])
    assert result.exit_code == 1
    assert "火星村" in result.output and "--accept-valid" in result.output
    report = tmp_path / "村报表_错误报告.xlsx"
    ws = load_workbook(report).active
    assert [c.value for c in ws[2]][1:5] == ["群租房", 2, "所属单位", "火星村"]

    custom = tmp_path / "reports" / "all.xlsx"
    result = runner.invoke(app, ["import", str(wb), "--accept-valid", "--report", str(custom)])
    assert result.exit_code == 1 and custom.exists()
    assert "updated" in result.output

    fine = s.workbook(tmp_path / "ok.xlsx", {"群租房": (s.HOUSE_HEADERS, s.house_rows())})
    result = runner.invoke(app, ["import", str(fine)])
    assert result.exit_code == 0, result.output
    assert "导入完成" in result.output


def test_import_command_refuses_unknown_files_in_one_line(tmp_path, monkeypatch, source):
    monkeypatch.setenv("DATABASE_URL", source)
    odd = tmp_path / "notes.docx"
    odd.write_text("x")
    result = CliRunner().invoke(app, ["import", str(odd)])
    assert result.exit_code != 0
    assert "不支持的文件类型" in str(result.exception) or "不支持" in result.output
