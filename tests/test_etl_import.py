"""Importing the village templates into a real PostGIS: each sheet, idempotence, edits with
audit, CSV encodings, Excel date cells, tolerant headers."""

import csv
from datetime import date, datetime, timedelta, timezone

import etl_samples as s
import pytest


@pytest.fixture(scope="module")
def town(new_database, tmp_path_factory):
    """A database with the mini town and the full workbook imported once."""
    url = new_database("etl_imp")
    tmp = tmp_path_factory.mktemp("etl_import")
    s.setup_town(url, tmp)
    result = s.run_import(url, s.full_workbook(tmp / "台账.xlsx"))
    return url, tmp, result


def test_every_sheet_lands(town):
    url, _, result = town
    assert not result.rejections and not result.rolled_back
    counts = {r.name: (r.rows, r.inserted) for r in result.sheets}
    assert counts == {"单位": (7, 0), "群租房": (3, 3), "隐患": (3, 3), "警情": (2, 2)}
    assert s.scalar(url, "SELECT count(*) FROM units WHERE kind = 'department'") == 4


def test_house_fields_parsed(town):
    url, _, _ = town
    row = s.rows(
        url,
        "SELECT u.name, landlord_id_number, rooms, beds, tenants, registered_tenants, "
        "is_registered, pledge_signed, cctv_installed, cctv_retention_days, is_self_built, "
        "last_inspected_on FROM houses h JOIN units u ON u.id = h.unit_id "
        "WHERE house_code = 'H001'",
    )[0]
    assert row == (
        "戴溪社区",
        "320412199001011234",
        12,
        14,
        15,
        15,
        True,
        True,
        True,
        30,
        False,
        date(2026, 10, 1),
    )
    # √ / × / 1 / 0 and 2026/9/1; 二房东是否登记 否 kept because 二房东 is named
    h2 = s.rows(
        url,
        "SELECT is_registered, pledge_signed, second_landlord_name, "
        "second_landlord_registered, last_inspected_on FROM houses "
        "WHERE house_code = 'H002'",
    )[0]
    assert h2 == (True, False, "王五", False, date(2026, 9, 1))
    h3 = s.rows(url, "SELECT is_registered, pledge_signed FROM houses WHERE house_code='H003'")
    assert h3 == [(True, False)]


def test_houses_placed_by_address_or_coordinates(town):
    url, _, result = town
    placed = dict(
        (code, (method, conf, review, round(x, 6), round(y, 6)))
        for code, method, conf, review, x, y in s.rows(
            url,
            "SELECT house_code, geocode_method, geocode_confidence, needs_review, "
            "ST_X(geom), ST_Y(geom) FROM houses",
        )
    )
    assert placed["H001"] == ("exact", 1.0, False, *s.door("戴溪社区", "人民路", 3))
    assert placed["H002"] == ("given", 1.0, False, *s.door("岑村村", "建设路", 4))
    # 洛阳社区人民路十号: Chinese numeral normalised, exact match on door 10
    assert placed["H003"] == ("exact", 1.0, False, *s.door("洛阳社区", "人民路", 10))
    assert result.geocoded == {"exact": 4, "given": 1}


def test_hazard_deadlines_follow_the_rules(town):
    url, _, _ = town
    got = {
        code: (sev, due, dept)
        for code, sev, due, dept in s.rows(
            url,
            "SELECT hazard_code, severity, due_on, d.name FROM hazards z "
            "LEFT JOIN units d ON d.id = z.department_id",
        )
    }
    # 私拉乱接电线: general by category; found Jan 31 + 3 calendar months = Apr 30
    assert got["Z001"] == ("general", date(2026, 4, 30), "派出所")
    # 违规使用液化气瓶: major by category; Mar 5 + 7 days = Mar 12
    assert got["Z002"] == ("major", date(2026, 3, 5) + timedelta(days=7), None)
    # the notice's 整改期限 wins over the rule
    assert got["Z003"] == ("general", date(2026, 6, 20), "自规所")


def test_incidents_in_beijing_time_and_placed(town):
    url, _, _ = town
    got = dict(
        (code, (at, unit, method))
        for code, at, unit, method in s.rows(
            url,
            "SELECT incident_code, occurred_at, u.name, geocode_method FROM incidents i "
            "LEFT JOIN units u ON u.id = i.unit_id",
        )
    )
    beijing = timezone(timedelta(hours=8))
    assert got["J001"] == (datetime(2026, 5, 1, 13, 45, tzinfo=beijing), "戴溪社区", "exact")
    assert got["J002"] == (datetime(2026, 6, 2, 8, 30, tzinfo=beijing), "洛阳社区", "exact")


def test_reimport_changes_nothing(town):
    url, tmp, _ = town
    before = s.snapshot(url)
    again = s.run_import(url, tmp / "台账.xlsx")
    assert [(r.inserted, r.updated) for r in again.sheets] == [(0, 0)] * 4
    assert [r.unchanged for r in again.sheets] == [7, 3, 3, 2]
    assert s.snapshot(url) == before  # not even updated_at moved, no audit row added


def test_edited_row_updates_by_natural_key_with_audit(town, tmp_path):
    url, _, _ = town
    rows = s.house_rows()
    rows[0][13] = 16  # H001 租住人数 15 → 16
    rows[0][6] = "张三丰"
    wb = s.workbook(tmp_path / "edit.xlsx", {"群租房": (s.HOUSE_HEADERS, rows)})
    result = s.run_import(url, wb, actor="村网格员A")
    assert [(r.inserted, r.updated, r.unchanged) for r in result.sheets] == [(0, 1, 2)]
    assert s.scalar(url, "SELECT count(*) FROM houses") == 3
    actor, action, before, after, detail = s.rows(
        url,
        "SELECT actor, action, before, after, detail FROM audit_log "
        "WHERE table_name = 'houses' AND record_key = 'H001' ORDER BY id DESC LIMIT 1",
    )[0]
    assert (actor, action) == ("村网格员A", "update")
    assert (before["tenants"], after["tenants"]) == (15, 16)
    assert (before["landlord_name"], after["landlord_name"]) == ("张三", "张三丰")
    # effective: the 台账日期, today by default (s.TODAY); not dated before the house's figures
    assert detail == {
        "source": "edit.xlsx",
        "row": 2,
        "via": "import",
        "effective": s.TODAY.isoformat(),
        "backdated": False,
    }


def test_every_insert_is_audited(town):
    url, _, _ = town
    audited = dict(
        s.rows(
            url,
            "SELECT table_name, count(*) FROM audit_log WHERE action = 'insert' "
            "AND table_name IN ('houses', 'hazards', 'incidents') GROUP BY 1",
        )
    )
    assert audited == {"houses": 3, "hazards": 3, "incidents": 2}


@pytest.fixture(scope="module")
def blank(new_database, tmp_path_factory):
    """The mini town without records; each test using it starts by emptying the records."""
    url = new_database("etl_blank")
    s.setup_town(url, tmp_path_factory.mktemp("etl_blank"))
    return url


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_csv_in_gbk_or_utf8(blank, tmp_path, encoding):
    url = blank
    s.clear_records(url)
    path = tmp_path / "群租房.csv"
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(s.HOUSE_HEADERS)
        for row in s.house_rows():
            w.writerow(["" if v is None else v for v in row])
    result = s.run_import(url, path)
    assert not result.rejections, result.rejections
    assert result.sheets[0].inserted == 3
    assert s.scalar(url, "SELECT landlord_name FROM houses WHERE house_code = 'H003'") == "赵六"
    want = "gb18030" if encoding == "gbk" else "utf-8-sig"
    assert any(want in note for note in result.notes)


def test_excel_date_cells_and_text_dates(blank, tmp_path):
    """Excel date cells, date-time cells, 2026年3月5日, 2026/9/1, 20260901 and a serial
    number (a date cell formatted as General) all read as the same kind of date."""
    url = blank
    s.clear_records(url)
    s.run_import(
        url, s.workbook(tmp_path / "h.xlsx", {"群租房": (s.HOUSE_HEADERS, s.house_rows())})
    )
    rows = s.hazard_rows()
    rows[0][4] = datetime(2026, 1, 31, 0, 0)  # a date-time cell
    rows[1][4] = 46086  # serial of 2026-03-05 (General format)
    rows[2][4] = "20260601"
    wb = s.workbook(tmp_path / "z.xlsx", {"隐患": (s.HAZARD_HEADERS, rows)})
    assert not s.run_import(url, wb).rejections
    found = dict(s.rows(url, "SELECT hazard_code, found_on FROM hazards"))
    assert found == {"Z001": date(2026, 1, 31), "Z002": date(2026, 3, 5), "Z003": date(2026, 6, 1)}


def test_headers_tolerant_of_order_spaces_width_and_title_row(blank, tmp_path):
    url = blank
    s.clear_records(url)
    headers = list(s.HOUSE_HEADERS)
    headers[0] = " 房屋 编号 （必填）"
    headers[11] = "出租居室数*"
    headers[5] = "坐标系统"
    order = list(reversed(range(len(headers))))
    rows = [[r[i] for i in order] for r in s.house_rows()]
    extra = [h + "x" for h in ["备用"]]
    wb = s.workbook(
        tmp_path / "群租房登记表.xlsx",
        {"Sheet1": ([headers[i] for i in order] + extra, [[*r, "…"] for r in rows])},
        title=True,
    )
    result = s.run_import(url, wb)
    assert not result.rejections, result.rejections
    assert result.sheets[0].inserted == 3
    assert any("备用x" in n for n in result.notes)  # extra columns are ignored, and said so


def test_missing_column_keeps_stored_values(blank, tmp_path):
    """A workbook without 出租人电话 does not erase the phones already stored."""
    url = blank
    s.clear_records(url)
    s.run_import(
        url, s.workbook(tmp_path / "a.xlsx", {"群租房": (s.HOUSE_HEADERS, s.house_rows())})
    )
    drop = s.HOUSE_HEADERS.index("出租人电话")
    headers = [h for i, h in enumerate(s.HOUSE_HEADERS) if i != drop]
    rows = [[v for i, v in enumerate(r) if i != drop] for r in s.house_rows()]
    result = s.run_import(url, s.workbook(tmp_path / "b.xlsx", {"群租房": (headers, rows)}))
    assert [(r.updated, r.unchanged) for r in result.sheets] == [(0, 3)]
    assert (
        s.scalar(url, "SELECT landlord_phone FROM houses WHERE house_code='H001'") == "13800000001"
    )
