"""Village workbooks as offices format them — 合计/小计 rows, signatures and notes, empty rows,
the header repeated on each page, one sheet per village, 所属单位 merged down a block — import
to exactly the database state of the plain template, and say which rows they skipped.

Every workbook is built here with openpyxl (`office_workbooks`); the state is compared in SQL
over every column the import writes, ids and timestamps left out (keys compared instead).
"""

import csv
import json

import etl_samples as s
import office_workbooks as o
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from etl import row_kinds
from geo_service.cli import app as cli_app

# Every column of what an import writes, foreign ids replaced by the keys they point to.
STATE_SQL = {
    "units": "SELECT to_jsonb(u) - 'id' - 'created_at' - 'updated_at' FROM units u",
    "houses": """
        SELECT to_jsonb(h) - 'id' - 'unit_id' - 'created_at' - 'updated_at'
               || jsonb_build_object('unit', u.name)
        FROM houses h JOIN units u ON u.id = h.unit_id""",
    "hazards": """
        SELECT to_jsonb(z) - 'id' - 'house_id' - 'department_id' - 'created_at' - 'updated_at'
               || jsonb_build_object('house', h.house_code, 'department', d.name)
        FROM hazards z JOIN houses h ON h.id = z.house_id
        LEFT JOIN units d ON d.id = z.department_id""",
    "incidents": """
        SELECT to_jsonb(i) - 'id' - 'unit_id' - 'created_at' - 'updated_at'
               || jsonb_build_object('unit', u.name)
        FROM incidents i LEFT JOIN units u ON u.id = i.unit_id""",
    "audit": "SELECT jsonb_build_array(table_name, action, count(*)) FROM audit_log GROUP BY "
    "table_name, action",
}


# The plain state was imported with today pinned to s.TODAY: the 台账 is dated the same day.
SAME_DAY = ("--effective", s.TODAY.isoformat())


def state(url: str) -> dict[str, list[str]]:
    return {
        t: sorted(json.dumps(r[0], sort_keys=True) for r in s.rows(url, q))
        for t, q in STATE_SQL.items()
    }


@pytest.fixture(scope="module")
def town(new_database, tmp_path_factory):
    """The mini town, and the state the plain template of the six houses leaves."""
    url = new_database("etl_layouts")
    tmp = tmp_path_factory.mktemp("etl_layouts")
    s.setup_town(url, tmp)
    s.clear_records(url)
    path, skipped = o.office_workbook(tmp / "plain.xlsx")
    assert skipped == []
    result = s.run_import(url, path)
    assert not result.rejections and not result.rolled_back and not result.skipped
    plain = state(url)
    assert len(plain["houses"]) == 6 and len(plain["hazards"]) == 3
    return url, plain


def _import(url, path, **options):
    s.clear_records(url)
    return s.run_import(url, path, **options)


def _kinds(result) -> list[tuple]:
    return [(r.sheet, r.row, r.kind) for r in result.skipped]


HABITS = {
    "totals": o.Habits(totals="合计", subtotals=True),
    "footer": o.Habits(footer=True),
    "empty_rows": o.Habits(empty_rows=True),
    "repeated_header": o.Habits(repeated_header=True),
    "title_and_serial_numbers": o.Habits(title=True, numbered=True),
    "rows_numbered_in_advance": o.Habits(numbered=True, spare_numbers=True),
    "merged_units": o.Habits(merged_units=True),
    "sheet_per_village_with_unit_column": o.Habits(per_village="column"),
    "sheet_per_village_named_only": o.Habits(per_village="name"),
    "all_together": o.ALL,
    "all_together_sheet_per_village": o.ALL.all_of_them(per_village="column"),
    "all_together_sheet_per_village_named_only": o.ALL.all_of_them(per_village="name"),
}


@pytest.mark.parametrize("habit", list(HABITS))
def test_each_habit_imports_like_the_plain_template(town, tmp_path, habit):
    url, plain = town
    path, written = o.office_workbook(tmp_path / f"{habit}.xlsx", HABITS[habit])
    result = _import(url, path)
    assert not result.rejections, result.rejections
    assert not result.rolled_back and not result.warnings, result.warnings
    assert state(url) == plain
    # exactly the rows written around the records were skipped, each with its kind
    assert sorted(_kinds(result)) == sorted(written)
    houses = [
        r
        for r in result.sheets
        if r.name not in ("单位", "单位情况", "隐患", "隐患排查台账", "警情")
    ]
    assert sum(r.rows for r in houses) == 6 and sum(r.inserted for r in houses) == 6


def test_the_habits_are_really_in_the_workbook(tmp_path):
    """The all-together workbook carries every habit (so the test above tests them)."""
    path, written = o.office_workbook(tmp_path / "all.xlsx", o.ALL)
    ws = load_workbook(path)["群租房台账"]
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert ws["A1"].value.startswith("洛阳镇群租房台账") and "A1:V1" in merged  # title
    assert ws["A2"].value == "基本情况" and "A2:K2" in merged  # group headings
    assert ws["A3"].value == "序号" and ws["B3"].value == "房屋编号"
    # 所属单位 of 戴溪社区 merged down H001 (row 5), an empty row and H004 (row 7)
    assert "C5:C7" in merged and ws["C5"].value == "戴溪社区" and ws["C7"].value is None
    assert ws["B7"].value == "H004"
    assert {k for _, _, k in written} == {"empty", "total", "footer", "header"}
    labels = [ws.cell(r, 1).value for sheet, r, k in written if k == "total" and sheet == ws.title]
    assert labels == ["戴溪社区小计", "岑村村小计", "洛阳社区小计", "合计"]
    assert "A8:C8" in merged  # 戴溪社区小计 written across 序号, 房屋编号, 所属单位


@pytest.mark.parametrize("word", ["合计", "小计", "总计", "共计"])
def test_each_total_word_is_a_total_row(town, tmp_path, word):
    url, plain = town
    path, _ = o.office_workbook(tmp_path / f"{word}.xlsx", o.Habits(totals=word))
    result = _import(url, path)
    assert not result.rejections and not result.warnings
    assert state(url) == plain
    (total,) = [r for r in result.skipped if r.sheet == "群租房"]
    # header row 1, six houses on rows 2-7, the total on row 8
    assert (total.row, total.kind, total.text.split(" | ")[0]) == (8, "total", word)
    assert total.check == "与上方 6 行之和相符 sums agree"


def test_a_total_that_disagrees_warns_and_still_imports(town, tmp_path):
    """床位数 合计 written 50; the houses hold 14 + 6 + 4 + 8 + 2 + 10 = 44."""
    url, plain = town
    habits = o.Habits(totals="合计", wrong_totals={"total 床位数": 50})
    path, _ = o.office_workbook(tmp_path / "wrong.xlsx", habits)
    result = _import(url, path)
    assert not result.rejections and not result.rolled_back
    assert state(url) == plain  # a warning, not a rejection: the records still import
    (warning,) = result.warnings
    assert warning.startswith("群租房: 第 8 行“合计”与上方 6 行（第 2–7 行）之和不符：")
    assert "床位数 写 50，各行之和 44；" in warning and "床位数 50 ≠ 44" in warning
    assert "租住人数" not in warning  # 15 + 6 + 5 + 9 + 2 + 12 = 49, as written
    (total,) = [r for r in result.skipped if r.sheet == "群租房"]
    assert total.check == warning.removeprefix("群租房: ")


def test_a_subtotal_is_checked_against_its_block(town, tmp_path):
    """Every 小计 written with 租住人数 15. 戴溪社区's block holds 15 + 6 = 21, 岑村村's
    5 + 9 = 14, 洛阳社区's 2 + 12 = 14: all three disagree. The 合计 (49 = 21 + 14 + 14)
    agrees: it is summed over the records, never over the subtotal rows."""
    url, plain = town
    habits = o.Habits(totals="合计", subtotals=True, wrong_totals={"小计 租住人数": 15})
    path, _ = o.office_workbook(tmp_path / "sub.xlsx", habits)
    result = _import(url, path)
    assert not result.rejections and state(url) == plain
    checks = {r.text.split(" | ")[0]: r.check for r in result.skipped if r.sheet == "群租房"}
    assert "租住人数 写 15，各行之和 21" in checks["戴溪社区小计"]
    # 岑村村: H002 on row 5, H005 on row 6, its 小计 on row 7
    assert checks["岑村村小计"].startswith("第 7 行“岑村村小计”与上方 2 行（第 5–6 行）之和不符")
    assert "租住人数 写 15，各行之和 14" in checks["岑村村小计"]
    assert checks["合计"] == "与上方 6 行之和相符 sums agree"
    assert len(result.warnings) == 3


THREE_HABITS = o.Habits(totals="合计", footer=True, empty_rows=True)
# 群租房: header 1, empty 2, H001 3, empty 4, H004…H006 5-9, 合计 10, empty 11, footer 12-18
HOUSES_LINE = (
    "群租房: 已跳过 skipped 3 行空行 empty rows (第 2、4、11 行)；1 行合计/小计行 total rows "
    "(第 10 行)；7 行签名/备注行 footer rows (signatures, notes) (第 12–18 行)"
)


def test_skipped_rows_said_in_the_cli_summary_and_json(town, tmp_path, monkeypatch):
    url, plain = town
    monkeypatch.setenv("DATABASE_URL", url)
    path, _ = o.office_workbook(tmp_path / "台账.xlsx", THREE_HABITS)
    s.clear_records(url)
    run = CliRunner().invoke(cli_app, ["import", str(path), "--actor", "tester", *SAME_DAY])
    assert run.exit_code == 0, run.output
    assert HOUSES_LINE in run.output.replace("\n", "")
    assert "单位: 已跳过 skipped 2 行空行" in run.output
    assert state(url) == plain
    s.clear_records(url)
    run = CliRunner().invoke(
        cli_app, ["import", str(path), "--actor", "tester", *SAME_DAY, "--json"]
    )
    assert run.exit_code == 0, run.output
    (result,) = json.loads(run.stdout)
    assert result["imported"] and HOUSES_LINE in result["skipped"]
    total = next(r for r in result["skipped_rows"] if r["sheet"] == "群租房" and r["row"] == 10)
    assert (total["kind"], total["kind_zh"], total["check"]) == (
        "total",
        "合计/小计行",
        "与上方 6 行之和相符 sums agree",
    )
    houses = next(r for r in result["sheets"] if r["name"] == "群租房")
    assert (houses["rows"], houses["inserted"], houses["skipped"]) == (6, 6, 11)


def test_skipped_rows_listed_in_the_error_workbook(town, tmp_path, monkeypatch):
    url, _ = town
    monkeypatch.setenv("DATABASE_URL", url)
    path, _ = o.office_workbook(tmp_path / "台账.xlsx", THREE_HABITS)
    wb = load_workbook(path)
    wb["群租房"]["M5"] = "很多"  # H004's 床位数 (column M), on row 5
    wb.save(path)
    s.clear_records(url)
    run = CliRunner().invoke(cli_app, ["import", str(path), "--actor", "tester", *SAME_DAY])
    assert run.exit_code == 1
    report = load_workbook(tmp_path / "台账_错误报告.xlsx")
    assert report.sheetnames == ["错误报告", "跳过的行 skipped"]
    errors = [[c.value for c in r] for r in report["错误报告"].iter_rows(min_row=2)]
    assert [e[:5] for e in errors] == [["台账.xlsx", "群租房", 5, "床位数", "很多"]]
    listed = [[c.value for c in r] for r in report["跳过的行 skipped"].iter_rows()]
    assert listed[0] == [
        "文件 file",
        "工作表 sheet",
        "行号 row",
        "类型 kind",
        "内容 text",
        "核对 check",
    ]
    assert ["台账.xlsx", "群租房", None, "小结 summary", HOUSES_LINE, None] in listed
    total = next(r for r in listed if r[:3] == ["台账.xlsx", "群租房", 10])
    # the 合计 still sums 44 beds: the refused row counts, it was typed
    assert total[3:] == ["合计/小计行 total rows", total[4], "与上方 6 行之和相符 sums agree"]
    assert total[4].startswith("合计 | ")
    footer = next(r for r in listed if r[:3] == ["台账.xlsx", "群租房", 12])
    assert footer[3:5] == [
        "签名/备注行 footer rows (signatures, notes)",
        "填表人：张三 | 审核人：李四 | 负责人：王五",
    ]
    empty = next(
        r for r in listed if r[:2] == ["台账.xlsx", "群租房"] and r[3] == "空行 empty rows"
    )
    assert empty[2] == "2、4、11"


H = s.HOUSE_HEADERS


def _houses_only(tmp_path, rows: list[list], name: str = "群租房", headers=H):
    return s.workbook(tmp_path / "houses.xlsx", {name: (headers, rows)})


def test_a_row_that_is_neither_record_nor_known_kind_is_refused(town, tmp_path):
    """Between two records, or below the last one with no signature under it, a line of
    text is not skipped: it is refused with its reason, and --strict imports nothing."""
    url, _ = town
    h1, h4, *rest = o.house_rows()
    rows = [h1, ["以下为十月新增"], h4, *rest, [], ["见附件"]]
    path = _houses_only(tmp_path, rows)
    result = _import(url, path)
    assert result.rolled_back and s.scalar(url, "SELECT count(*) FROM houses") == 0
    got = [(r.row, r.column, r.value, r.code) for r in result.rejections]
    assert got == [
        (3, "整行 whole row", "以下为十月新增", "unrecognised_row"),
        (10, "整行 whole row", "见附件", "unrecognised_row"),
    ]
    assert "既不是数据行" in result.rejections[0].reason_zh
    assert result.sheets[0].rows == 8 and result.sheets[0].rejected == 2
    assert [(r.row, r.kind) for r in result.skipped] == [(9, "empty")]
    # --accept-valid: the six houses land, the two lines stay reported
    result = _import(url, path, strict=False)
    assert s.scalar(url, "SELECT count(*) FROM houses") == 6 and len(result.rejections) == 2


def test_a_line_among_the_signatures_is_part_of_the_footer(town, tmp_path):
    """The same 见附件, now above 填表人: part of the footer, like the lines after 说明："""
    url, plain = town
    rows = [*o.house_rows(), ["见附件"], ["填表人：张三"], ["说明："], ["请于每月5日前报送"]]
    result = _import(url, _houses_only(tmp_path, rows))
    assert not result.rejections
    assert state(url)["houses"] == plain["houses"]
    assert [(r.row, r.kind) for r in result.skipped] == [(i, "footer") for i in range(8, 12)]


def test_a_header_repeated_in_another_order_is_refused(town, tmp_path):
    url, _ = town
    swapped = [H[1], H[0], *H[2:]]  # 所属单位 before 房屋编号
    rows = [*o.house_rows()[:3], swapped, *o.house_rows()[3:]]
    result = _import(url, _houses_only(tmp_path, rows))
    assert result.rolled_back
    (refused,) = result.rejections
    assert (refused.row, refused.code) == (5, "header_differs")
    assert "与第 1 行的表头列序不同" in refused.reason_zh


def test_a_record_inside_an_office_layout_is_still_checked(town, tmp_path):
    """Habits change nothing about the records: H004 without 出租人 is refused, on the row
    Excel shows (title 1, groups 2, header 3, empty 4, H001 5, empty 6, H004 7)."""
    url, _ = town
    path, _ = o.office_workbook(tmp_path / "all.xlsx", o.ALL)
    wb = load_workbook(path)
    assert wb["群租房台账"]["B7"].value == "H004"
    wb["群租房台账"].cell(7, 2 + H.index("出租人")).value = None
    wb.save(path)
    result = _import(url, path)
    assert [(r.sheet, r.row, r.column, r.code) for r in result.rejections] == [
        ("群租房台账", 7, "出租人", "required")
    ]
    assert result.rolled_back and s.scalar(url, "SELECT count(*) FROM houses") == 0


def test_the_same_house_on_two_village_sheets_is_refused(town, tmp_path):
    url, _ = town
    path, _ = o.office_workbook(tmp_path / "v.xlsx", o.Habits(per_village="column"))
    wb = load_workbook(path)
    wb["岑村村"]["A3"] = "H001"  # H005 renamed to a house of 戴溪社区's sheet (its row 2)
    wb.save(path)
    result = _import(url, path)
    assert [(r.sheet, r.row, r.value, r.code) for r in result.rejections] == [
        ("岑村村", 3, "H001", "duplicate_key_sheet")
    ]
    assert result.rejections[0].reason_zh == "编号与工作表“戴溪社区”第 2 行重复"
    assert result.rolled_back


def test_unit_from_the_sheet_name_said_in_the_summary(town, tmp_path):
    """Sheets named 戴溪社区, 岑村 (the village's bare name) and 洛阳社区群租房台账; the last
    has a 所属单位 column with one cell left empty."""
    url, plain = town
    path, _ = o.office_workbook(tmp_path / "v.xlsx", o.Habits(per_village="name"))
    wb = load_workbook(path)
    wb["岑村村"].title = "岑村"
    wb.remove(wb["洛阳社区"])
    ws = wb.create_sheet("洛阳社区群租房台账")
    ws.append(H)
    for row in o.house_rows()[4:]:
        ws.append(row)
    ws["B3"] = None  # H006 without its 所属单位
    wb.save(path)
    result = _import(url, path)
    assert not result.rejections, result.rejections
    assert state(url) == plain
    notes = [n for n in result.notes if "工作表名" in n]
    assert notes == [
        "工作表“戴溪社区”没有“所属单位”列：2 行的单位取自工作表名（戴溪社区） / no 所属单位 "
        "column: the unit of its 2 rows is taken from the sheet name",
        "工作表“岑村”没有“所属单位”列：2 行的单位取自工作表名（岑村村） / no 所属单位 column: "
        "the unit of its 2 rows is taken from the sheet name",
        "工作表“洛阳社区群租房台账”第 3 行未填“所属单位”：取自工作表名（洛阳社区） / rows 3 "
        "have no 所属单位: taken from the sheet name",
    ]


def test_a_sheet_named_after_no_village_still_needs_its_units(town, tmp_path):
    url, _ = town
    headers = [h for h in H if h != "所属单位"]
    rows = [[v for h, v in zip(H, r, strict=True) if h != "所属单位"] for r in o.house_rows()]
    result = _import(url, _houses_only(tmp_path, rows, name="第一页", headers=headers))
    assert [(r.row, r.column, r.code) for r in result.rejections] == [
        (1, "所属单位", "missing_column")
    ]
    assert result.rolled_back


def test_a_csv_with_totals_footer_and_empty_rows(town, tmp_path):
    url, plain = town
    path = tmp_path / "群租房.csv"
    houses = o.house_rows()
    total = ["合计", *[None] * 10, *o.sums(houses).values(), *[None] * 6]
    lines = [H, [], *houses, total, ["填表人：张三", "", "联系电话：0519-86551234"]]
    with path.open("w", encoding="gbk", newline="") as f:
        csv.writer(f).writerows([["" if v is None else v for v in r] for r in lines])
    result = _import(url, path)
    assert not result.rejections and not result.warnings
    assert state(url)["houses"] == plain["houses"]
    assert [(r.row, r.kind) for r in result.skipped] == [(2, "empty"), (9, "total"), (10, "footer")]
    assert result.skipped[1].check == "与上方 6 行之和相符 sums agree"


@pytest.mark.parametrize(
    ("cells", "key_pos", "label"),
    [
        (["合计"], 0, "合计"),
        (["合 计", None, None, 32], 0, "合 计"),
        ([None, "戴溪社区小计", None, 16], 0, "戴溪社区小计"),
        ([3, None, "本页合计（户）"], 1, "本页合计（户）"),  # 序号 3, then the label
        (["总计：2 条"], 0, "总计：2 条"),
    ],
)
def test_total_labels(cells, key_pos, label):
    assert row_kinds.total_label(cells, key_pos) == label


@pytest.mark.parametrize(
    "text",
    [
        "填表人：张三",
        "填 表 人 张三",
        "审核人：李四",
        "村（社区）负责人：王五",
        "联系电话：0519-86551234",
        "填表日期：2026年10月31日",
        "单位（盖章）",
        "填报单位：戴溪社区（盖章）",
        "分管领导签字：",
        "备注：本表按月报送",
        "说明：",
        "注1：租住人数为实际居住人数",
        "以下空白",
    ],
)
def test_footer_lines(text):
    assert row_kinds.is_footer([None, text, None])


@pytest.mark.parametrize(
    ("cells", "key_pos"),
    [
        (["H009", "戴溪社区", "洛阳镇戴溪社区人民路3号"], 0),
        (["综合治理领导小组办公室", "部门"], 0),  # a department, not 分管领导
        (["审批服务中心", "部门"], 0),
        (["注册登记窗口", "部门"], 0),  # 注册, not 注：
        (["Z004", "H001", "未配备灭火、逃生器材", *[None] * 8, "共计三处电线老化"], 0),
        (["合计", "H009", "戴溪社区"], 1),  # 合计 in 序号, but a house code: a record
    ],
)
def test_records_are_never_taken_for_totals_or_footers(cells, key_pos):
    assert row_kinds.total_label(cells, key_pos) is None
    assert not row_kinds.is_footer(cells)
