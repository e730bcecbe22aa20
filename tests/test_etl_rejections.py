"""Every rejection reason, where it is reported (Excel row, column) and what --strict and
--accept-valid do with the rest of the file; the error workbook a village can fix."""

from datetime import timedelta

import etl_samples as s
import pytest
from openpyxl import load_workbook

from etl.rejections import REASONS, WHOLE_ROW
from etl.report import write_report

H, Z, J, U = s.HOUSE_HEADERS, s.HAZARD_HEADERS, s.INCIDENT_HEADERS, s.UNIT_HEADERS


def _set(headers, **changes):
    """A row mutator: {header: value}."""

    def mutate(row):
        for header, value in changes.items():
            row[headers.index(header)] = value
        return row

    return mutate


def _house(**changes):
    return ("群租房", H, s.house_rows, _set(H, **changes))


def _hazard(**changes):
    return ("隐患", Z, s.hazard_rows, _set(Z, **changes))


def _incident(**changes):
    return ("警情", J, s.incident_rows, _set(J, **changes))


def _unit(**changes):
    return ("单位", U, s.unit_rows, _set(U, **changes))


TOMORROW = s.TODAY + timedelta(days=1)
# reason key → (sheet, headers, rows, mutate the second row, column reported)
CASES = {
    "required": (*_house(出租人=None), "出租人"),
    "bad_bool": (*_house(是否登记="可能"), "是否登记"),
    "bad_date": (*_house(最近检查日期="去年秋天"), "最近检查日期"),
    "bad_datetime": (*_incident(发生时间="昨天夜里"), "发生时间"),
    "bad_int": (*_house(床位数=2.5), "床位数"),
    "bad_number": (*_house(经度="东经120度", 纬度=31.68), "经度"),
    "negative": (*_house(出租居室数=-1), "出租居室数"),
    "too_large": (*_house(床位数=5000), "床位数"),
    "too_long": (*_house(房屋编号="H" * 70), "房屋编号"),
    "future_date": (*_hazard(发现日期=TOMORROW, 整改日期=None), "发现日期"),
    "before_found": (*_hazard(整改日期="2026-03-01"), "整改日期"),
    "registered_exceeds": (*_house(租住人数=5, 已登记租住人数=6), "已登记租住人数"),
    "second_landlord_missing": (*_house(二房东=None, 二房东是否登记="是"), "二房东是否登记"),
    "second_landlord_unregistered_missing": (
        *_house(二房东="钱七", 二房东是否登记=None),
        "二房东是否登记",
    ),
    "unit_kind": (*_unit(单位类型="公司"), "单位类型"),
    "unknown_unit": (*_house(所属单位="火星村"), "所属单位"),
    "not_a_village": (*_house(所属单位="派出所"), "所属单位"),
    "unknown_house": (*_hazard(房屋编号="H999"), "房屋编号"),
    "unknown_department": (*_hazard(流转部门="消防队"), "流转部门"),
    "unknown_category": (*_hazard(隐患类别="乱扔垃圾"), "隐患类别"),
    "bad_severity": (*_hazard(隐患等级="特别重大"), "隐患等级"),
    "duplicate_key": (*_house(房屋编号="H001"), "房屋编号"),
    "coords_incomplete": (*_house(经度=120.043, 纬度=None), "经度"),
    "coords_range": (*_house(经度=200.0, 纬度=95.0), "经度"),
    "coords_swapped": (*_house(经度=31.687, 纬度=120.0432), "经度"),
    "outside_town": (*_house(经度=121.5, 纬度=31.2), "经度"),
    "bad_crs": (*_house(坐标系="北京54"), "坐标系"),
    "id_number_as_number": (*_house(出租人证件号=320412199001011234), "出租人证件号"),
    # rows that are not records: a stray line, a header repeated in another column order
    "unrecognised_row": ("群租房", H, s.house_rows, lambda r: ["见附件"], WHOLE_ROW),
    "header_differs": ("群租房", H, s.house_rows, lambda r: [H[1], H[0], *H[2:]], WHOLE_ROW),
}


@pytest.fixture(scope="module")
def town(new_database, tmp_path_factory):
    url = new_database("etl_rej")
    tmp = tmp_path_factory.mktemp("etl_rej")
    s.setup_town(url, tmp)
    houses = s.workbook(tmp / "h.xlsx", {"群租房": (H, s.house_rows())})
    assert not s.run_import(url, houses).rejections
    return url, tmp


def _bad_workbook(tmp, key):
    sheet, headers, rows_of, mutate, _ = CASES[key]
    rows = rows_of()
    rows[1] = mutate(list(rows[1]))
    if key == "duplicate_key":
        rows = rows[:2]
    if sheet in ("群租房", "单位"):
        # fresh codes so that the valid rows are inserts, not updates
        rows = [
            [f"N{i}{r[0]}" if sheet == "群租房" and i != 1 else r[0], *r[1:]]
            if key != "duplicate_key" and sheet == "群租房"
            else r
            for i, r in enumerate(rows)
        ]
    return s.workbook(tmp / f"{key}.xlsx", {sheet: (headers, rows)})


@pytest.mark.parametrize("key", sorted(CASES))
def test_each_reason_reported_and_strict_rolls_back(town, key):
    url, tmp = town
    column = CASES[key][4]
    before = s.snapshot(url)
    result = s.run_import(url, _bad_workbook(tmp, key))
    assert (3, column, key) in {(r.row, r.column, r.code) for r in result.rejections}, (
        result.rejections
    )
    assert result.rolled_back
    assert s.snapshot(url) == before  # strict: nothing of the file landed


def test_missing_required_column(town):
    url, tmp = town
    headers = [h for h in H if h != "出租人"]
    rows = [[v for h, v in zip(H, r, strict=True) if h != "出租人"] for r in s.house_rows()]
    result = s.run_import(url, s.workbook(tmp / "nocol.xlsx", {"群租房": (headers, rows)}))
    assert [(r.row, r.column) for r in result.rejections] == [(1, "出租人")]
    assert "缺少必填列" in result.rejections[0].reason_zh
    assert result.sheets[0].rejected == 3 and result.rolled_back


def test_row_numbers_follow_excel_with_a_title_row(town):
    url, tmp = town
    rows = s.house_rows()
    rows[2][H.index("床位数")] = "很多"
    wb = s.workbook(tmp / "title.xlsx", {"群租房": (H, rows)}, title=True)
    result = s.run_import(url, wb)
    # title on row 1, header on row 2, the third house on row 5
    assert [(r.row, r.column, r.value) for r in result.rejections] == [(5, "床位数", "很多")]


def test_accept_valid_loads_the_good_rows(town, tmp_path):
    url, _ = town
    rows = [["V1", *s.house_rows()[0][1:]], ["V2", *s.house_rows()[2][1:]]]
    rows[1][H.index("所属单位")] = "火星村"
    wb = s.workbook(tmp_path / "mixed.xlsx", {"群租房": (H, rows)})
    result = s.run_import(url, wb, strict=False)
    assert not result.rolled_back
    assert (result.sheets[0].inserted, result.sheets[0].rejected) == (1, 1)
    codes = {c for (c,) in s.rows(url, "SELECT house_code FROM houses WHERE house_code LIKE 'V%%'")}
    assert codes == {"V1"}


def test_error_workbook_has_everything_a_village_needs(town, tmp_path):
    url, tmp = town
    result = s.run_import(url, _bad_workbook(tmp, "unknown_unit"))
    path = write_report(result.rejections, tmp_path / "err.xlsx")
    ws = load_workbook(path).active
    header = [c.value for c in ws[1]]
    assert header == [
        "文件 file",
        "工作表 sheet",
        "行号 row",
        "列 column",
        "值 value",
        "原因",
        "reason",
    ]
    row = [c.value for c in ws[2]]
    assert row[:5] == ["unknown_unit.xlsx", "群租房", 3, "所属单位", "火星村"]
    assert "火星村" in row[5] and "unknown unit" in row[6]


def test_every_catalogued_reason_is_exercised():
    vector_only = {"no_geometry", "bad_geometry_type", "duplicate_address", "bad_oneway"}
    covered = set(CASES) | {"missing_column", "before_rectified"} | vector_only
    covered |= {"duplicate_key_sheet"}  # two sheets: test_etl_layouts
    covered |= {"duplicate_record", "bad_inspection_kind"}  # test_inspections_import
    assert set(REASONS) == covered


def test_verified_before_rectified(town):
    url, tmp = town
    headers = [*Z, "复核日期"]
    rows = [[*r, None] for r in s.hazard_rows()]
    rows[1][-1] = "2026-03-07"  # rectified 2026-03-08
    result = s.run_import(url, s.workbook(tmp / "verify.xlsx", {"隐患": (headers, rows)}))
    assert [(r.row, r.column) for r in result.rejections] == [(3, "复核日期")]
    assert "早于整改日期" in result.rejections[0].reason_zh
