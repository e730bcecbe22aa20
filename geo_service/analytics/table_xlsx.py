"""The 附件2 workbook: the plan's grouped Chinese headers (merged cells), one row per unit and
the town total (合计)."""

from io import BytesIO
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from geo_service.analytics.schemas import TableReport, TableRow
from geo_service.analytics.table import RATES

# Leaf columns after 单位: (header, how to read the value from a row).
_RATE_HEADERS = {
    "house_registration": "群租房登记率(%)",
    "tenant_registration": "租住人员登记率(%)",
    "second_landlord_registration": "二房东登记率(%)",
    "pledge": "治安责任保证书签订率(%)",
    "investigation": "安全隐患排查率(%)",
    "transfer": "安全隐患流转率(%)",
    "rectification": "安全隐患整改率(%)",
}
LEAVES: tuple[tuple[str, str], ...] = (
    ("是否制定职责任务清单", "task_list"),
    ("是否制定年度工作方案", "annual_plan"),
    ("未经批准擅自改变房屋结构和用途(处)", "count:unauthorised_change"),
    ("不符合安全、防灾等工程建设强制性标准(处)", "count:below_standard"),
    ("经鉴定属于危险房屋不能用于居住(处)", "count:dangerous_house"),
    *((_RATE_HEADERS[code], f"rate:{code}") for code, _, _ in RATES),
    ("应安装视频监控(户)", "cctv_required"),
    ("已按规定安装视频监控(户)", "cctv_compliant"),
    ("违规使用液化气瓶(处)", "count:lpg_cylinder"),
    ("违规使用明火(处)", "count:open_flame"),
    ("私拉乱接电线(处)", "count:improvised_wiring"),
    ("逃生通道不畅通(处)", "count:blocked_escape"),
    ("电瓶车违规停放、充电(处)", "count:ebike"),
    ("未配备灭火、逃生器材(处)", "count:fire_equipment_missing"),
)
# Second header row: (label, first leaf index, last leaf index), indexes into LEAVES.
GROUPS = (
    ("房屋安全", 2, 4),
    ("人房登记", 5, 8),
    ("隐患排查、流转、整改", 9, 11),
    ("安防设施配备", 12, 13),
    ("消防安全", 14, 19),
)
NOTE = (
    "注：截至日期前发现的隐患计入；截至日期后的整改、流转尚未发生。比率保留一位小数，分母为0时显示“—”。"
    "合计行的比率由各单位分子、分母分别求和后计算。视频监控：出租居室达到十间以上，或者出租床位达到十张以上，"
    "或者一个产权单元内租住人数达到十人以上的，应在出入口、公共活动区域安装视频监控并保证正常运行，"
    "留存录像连续时长不低于三十日。"
)
HEADER_ROWS = 3  # 安全管理责任落实情况/问题情况 · groups · leaves
FIRST = 2  # the title is row 1


def cell_value(row: TableRow, key: str) -> object:
    if key.startswith("count:"):
        return row.counts[key[6:]]
    if key.startswith("rate:"):
        r = row.rates[key[5:]]
        return r.percent if r.percent is not None else r.display
    return getattr(row, key)


def write_workbook(report: TableReport, title: str = "群租房安全管理大检查统计表") -> Workbook:
    """Build the 附件2 workbook for `report`."""
    wb = Workbook()
    ws = wb.active
    ws.title = "附件2统计表"
    ncols = 1 + len(LEAVES)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    bold = Font(bold=True)

    ws.cell(1, 1, f"{title}（截至 {report.filters.as_of.isoformat()}）").font = Font(
        bold=True, size=14
    )
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws.cell(1, 1).alignment = center

    top, mid, leaf = FIRST, FIRST + 1, FIRST + 2
    ws.cell(top, 1, "单位")
    ws.merge_cells(start_row=top, start_column=1, end_row=leaf, end_column=1)
    ws.cell(top, 2, "安全管理责任落实情况")
    ws.merge_cells(start_row=top, start_column=2, end_row=mid, end_column=3)
    ws.cell(top, 4, "安全管理问题情况")
    ws.merge_cells(start_row=top, start_column=4, end_row=top, end_column=ncols)
    for label, a, b in GROUPS:
        ws.cell(mid, 2 + a, label)
        ws.merge_cells(start_row=mid, start_column=2 + a, end_row=mid, end_column=2 + b)
    for i, (header, _) in enumerate(LEAVES):
        ws.cell(leaf, 2 + i, header)
    for r in range(top, leaf + 1):
        for c in range(1, ncols + 1):
            cell = ws.cell(r, c)
            cell.alignment, cell.border, cell.font = center, border, bold

    for offset, row in enumerate(report.rows):
        r = leaf + 1 + offset
        ws.cell(r, 1, row.unit)
        for i, (_, key) in enumerate(LEAVES):
            cell = ws.cell(r, 2 + i, cell_value(row, key))
            if key.startswith("rate:") and isinstance(cell.value, float):
                cell.number_format = "0.0"
        for c in range(1, ncols + 1):
            cell = ws.cell(r, c)
            cell.border = border
            cell.alignment = Alignment(horizontal="center", vertical="center")
            if row.is_total:
                cell.font = bold
    note_row = leaf + 2 + len(report.rows)
    ws.cell(note_row, 1, NOTE).alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=note_row, start_column=1, end_row=note_row, end_column=ncols)
    ws.row_dimensions[note_row].height = 48

    ws.column_dimensions["A"].width = 14
    for c in range(2, ncols + 1):
        ws.column_dimensions[get_column_letter(c)].width = 11
    ws.row_dimensions[leaf].height = 96
    ws.freeze_panes = ws.cell(leaf + 1, 2)
    return wb


def workbook_bytes(report: TableReport) -> bytes:
    """The workbook as .xlsx bytes (what the API returns)."""
    buf = BytesIO()
    write_workbook(report).save(buf)
    return buf.getvalue()


def save_workbook(report: TableReport, path: Path) -> Path:
    """Write the workbook to `path` (.xlsx)."""
    path.write_bytes(workbook_bytes(report))
    return path
