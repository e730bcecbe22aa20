"""Village workbooks laid out as offices lay them out, written with openpyxl for the tests.

The records are those of `etl_samples` plus three houses, so that every village has a block
of two (for 所属单位 merged down a block, and 小计 rows). `office_workbook` writes them in
the plain template or with any of the habits of `Habits`, and returns, beside the file,
every row it wrote that is not a record — what the import must skip, by kind.

Hand sums of the houses (出租居室数, 床位数, 租住人数, 已登记租住人数):
  戴溪社区 H001 12/14/15/15 + H004 4/6/6/5    = 16/20/21/20
  岑村村   H002  3/4/5/4    + H005 5/8/9/9    =  8/12/14/13
  洛阳社区 H003  2/2/2/2    + H006 6/10/12/10 =  8/12/14/12
  合计                                        = 32/44/49/45
"""

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import etl_samples as s
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

SUMMED = ["出租居室数", "床位数", "租住人数", "已登记租住人数"]
VILLAGES = [u for u, _, _ in s.UNITS]


def house_rows() -> list[list]:
    """Six houses, two per village, in village order (as a 台账 keeps them)."""
    h1, h2, h3 = s.house_rows()
    # fmt: off
    h4 = ["H004", "戴溪社区", "洛阳镇戴溪社区建设路5号", None, None, None, "孙八", None,
          "13800000004", None, None, 4, 6, 6, 5, "是", "是", "否", None, "否", date(2026, 8, 12)]
    h5 = ["H005", "岑村村", "岑村村人民路6号", None, None, None, "周九", None, None, None, None,
          5, 8, 9, 9, "是", "是", "是", 15, "是", None]
    h6 = ["H006", "洛阳社区", "洛阳社区建设路7号", None, None, None, "吴十", None, None,
          "郑十一", "是", 6, 10, 12, 10, "否", "是", None, None, None, "2026-07-20"]
    # fmt: on
    return [h1, h4, h2, h5, h3, h6]


def sums(rows: list[list], headers: list[str] = s.HOUSE_HEADERS) -> dict[str, int]:
    return {h: sum(r[headers.index(h)] for r in rows) for h in SUMMED}


@dataclass(frozen=True)
class Habits:
    """What an office adds around the records; all off is the plain template."""

    title: bool = False  # a merged title row, and group headings above the header
    numbered: bool = False  # a 序号 column first
    spare_numbers: bool = False  # with 序号: rows numbered in advance and left blank
    totals: str | None = None  # the label of the total row under the houses (合计 …)
    subtotals: bool = False  # a 小计 row under each village's block
    footer: bool = False  # signatures, phone, date, stamp, notes below the data
    empty_rows: bool = False  # empty rows under the header, between and after records
    repeated_header: bool = False  # the header again before each village's block
    merged_units: bool = False  # 所属单位 merged down each village's block
    per_village: str | None = None  # one sheet per village: "column" or "name" (no column)
    wrong_totals: dict[str, int] = field(default_factory=dict)  # header → a wrong sum

    def all_of_them(self, **more) -> "Habits":
        every = dict(title=True, numbered=True, spare_numbers=True, totals="合计")
        every |= dict(subtotals=True, footer=True)
        every |= dict(empty_rows=True, repeated_header=True, merged_units=True)
        return replace(self, **(every | more))


ALL = Habits().all_of_them()
FOOTER_LINES = [
    ["填表人：张三", None, None, None, "审核人：李四", None, None, None, "负责人：王五"],
    ["联系电话：0519-86551234", None, None, None, "填表日期：2026年10月31日"],
    ["单位（盖章）：洛阳镇戴溪社区"],
    ["备注：本表按月报送，房屋编号全镇唯一。"],
    ["说明："],
    ["1. 租住人数为实际居住人数；"],
    ["2. 已登记租住人数指信息已采集的人数。"],
]


class _Writer:
    """Writes one sheet row by row, noting the rows that are not records."""

    def __init__(self, ws: Worksheet, habits: Habits, headers: list[str], title: str):
        self.ws, self.h, self.title = ws, habits, title
        self.columns = (["序号"] if habits.numbered else []) + headers
        self.row, self.number, self.skipped = 0, 0, []

    def put(self, values: list, kind: str | None = None) -> int:
        self.row += 1
        for col, value in enumerate(values, 1):
            if value is not None:
                self.ws.cell(self.row, col, value)
        if kind:
            self.skipped.append((self.ws.title, self.row, kind))
        return self.row

    def merge_across(self, row: int, last: int | None = None) -> None:
        last = last or len(self.columns)
        self.ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)

    def header(self, repeated: bool = False) -> None:
        kind = "header" if repeated else None
        if self.h.title:
            self.merge_across(self.put([f"洛阳镇{self.title}（2026年10月）"], kind))
            half = len(self.columns) // 2
            groups = ["基本情况"] + [None] * (half - 1) + ["落实情况"]
            row = self.put(groups, kind)
            self.ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=half)
            self.ws.merge_cells(
                start_row=row, start_column=half + 1, end_row=row, end_column=len(self.columns)
            )
        self.put(self.columns, kind)

    def empty(self) -> None:
        if self.h.empty_rows:
            self.put([], "empty")

    def record(self, row: list) -> None:
        self.number += 1
        self.put(([self.number] if self.h.numbered else []) + row)

    def total(self, label: str, values: dict[str, int], headers: list[str]) -> None:
        cells = [None] * len(self.columns)
        offset = 1 if self.h.numbered else 0
        cells[0] = label
        for header, value in values.items():
            cells[offset + headers.index(header)] = value
        row = self.put(cells, "total")
        if self.h.numbered:
            self.merge_across(row, last=3)  # 合计 written across 序号, 房屋编号, 所属单位

    def footer(self) -> None:
        if not self.h.footer:
            return
        self.empty()
        for line in FOOTER_LINES:
            row = self.put(line, "footer")
            if len(line) == 1:
                self.merge_across(row)


def _houses_sheet(ws: Worksheet, h: Habits, blocks: list[tuple[str, list[list]]]) -> list:
    headers = list(s.HOUSE_HEADERS)
    if h.per_village == "name":
        unit = headers.index("所属单位")
        headers.pop(unit)
        blocks = [(v, [r[:unit] + r[unit + 1 :] for r in rows]) for v, rows in blocks]
    w = _Writer(ws, h, headers, "群租房台账")
    w.header()
    w.empty()
    every = []
    for i, (village, rows) in enumerate(blocks):
        if h.repeated_header and i > 0:
            w.header(repeated=True)
        first = w.row + 1
        for j, row in enumerate(rows):
            w.record(row)
            if j == 0 and i == 0:
                w.empty()  # an empty row between two records
        if h.merged_units and "所属单位" in headers and len(rows) > 1:
            col = len(w.columns) - len(headers) + headers.index("所属单位") + 1
            ws.merge_cells(start_row=first, start_column=col, end_row=w.row, end_column=col)
        if h.subtotals:
            w.total(f"{village}小计", _with_wrong(sums(rows, headers), h, "小计"), headers)
        every += rows
    if h.numbered and h.spare_numbers:
        for _ in range(3):
            w.number += 1
            w.put([w.number], "empty")
    if h.totals:
        w.total(h.totals, _with_wrong(sums(every, headers), h, "total"), headers)
    w.footer()
    return w.skipped


def _with_wrong(values: dict[str, int], h: Habits, where: str) -> dict[str, int]:
    wrong = {k[len(where) + 1 :]: v for k, v in h.wrong_totals.items() if k.startswith(where)}
    return values | wrong


def _plain_sheet(
    ws: Worksheet, h: Habits, headers: list[str], rows: list[list], count: str | None = None
) -> list[tuple]:
    """单位, 隐患, 警情 with the habits that fit them: a count row (`count`: 共计, 总计),
    notes, empty rows, the header again before the last record."""
    w = _Writer(ws, h, headers, ws.title)
    w.header()
    w.empty()
    for i, row in enumerate(rows):
        if h.repeated_header and i == len(rows) - 1 and i > 0:
            w.header(repeated=True)
        w.record(row)
    if h.totals and count:
        w.total(f"{count}：{len(rows)} 条", {}, headers)
    w.footer()
    return w.skipped


def office_workbook(path: Path, habits: Habits = Habits()) -> tuple[Path, list[tuple]]:
    """The records as an .xlsx with `habits`; and the (sheet, row, kind) of each row that is
    not a record, as written."""
    h = habits
    wb = Workbook()
    wb.remove(wb.active)
    names = ("单位情况", "隐患排查台账", "警情") if h.title else ("单位", "隐患", "警情")
    houses = house_rows()
    blocks = [(v, [r for r in houses if r[1] == v]) for v in VILLAGES]
    skipped = _plain_sheet(wb.create_sheet(names[0]), h, s.UNIT_HEADERS, s.unit_rows())
    if h.per_village:
        for village, rows in blocks:
            skipped += _houses_sheet(wb.create_sheet(village), h, [(village, rows)])
    else:
        skipped += _houses_sheet(wb.create_sheet("群租房台账" if h.title else "群租房"), h, blocks)
    ws = wb.create_sheet(names[1])
    skipped += _plain_sheet(ws, h, s.HAZARD_HEADERS, s.hazard_rows(), "共计")
    ws = wb.create_sheet(names[2])
    skipped += _plain_sheet(ws, h, s.INCIDENT_HEADERS, s.incident_rows(), "总计")
    wb.save(path)
    return path, skipped
