"""What the user sees: the summary, the rejected rows as a table, and the error workbook.

The workbook lists every rejected value with its file, sheet, Excel row number and column,
the value and the reason in Chinese and English, so a village can open it, fix its sheet and
send it back. A second sheet lists the rows skipped as not records (empty, 合计/小计,
signatures and notes, repeated headers) and how each total compares with the rows above.
"""

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from rich.console import Console
from rich.table import Table

from etl.context import FileResult
from etl.rejections import Rejection
from etl.skipped import KINDS, SkippedRow, row_ranges, summaries, summary_lines

HEADERS = ["文件 file", "工作表 sheet", "行号 row", "列 column", "值 value", "原因", "reason"]
SKIPPED_HEADERS = ["文件 file", "工作表 sheet", "行号 row", "类型 kind", "内容 text", "核对 check"]
METHOD_ZH = {
    "given": "给定坐标 given",
    "exact": "精确匹配 exact",
    "fuzzy": "模糊匹配 fuzzy",
    "unit_centroid": "单位中心待核 unit centroid (review)",
    "none": "未定位 not placed (review)",
}


def write_report(
    rejections: list[Rejection], path: Path, skipped: Sequence[SkippedRow] = ()
) -> Path:
    """Write the rejected rows to an .xlsx at `path` (header row frozen, columns sized), and
    the skipped rows on a second sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = "错误报告"
    ws.append(HEADERS)
    for r in rejections:
        ws.append([r.source, r.sheet, r.row, r.column, r.value, r.reason_zh, r.reason_en])
    _style(ws, (18, 14, 8, 16, 24, 48, 48), wrap_from=6)
    if skipped:
        _skipped_sheet(wb.create_sheet("跳过的行 skipped"), list(skipped))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _skipped_sheet(ws, skipped: list[SkippedRow]) -> None:
    """One line per skipped row; the empty rows of a sheet share one line (their ranges)."""
    ws.append(SKIPPED_HEADERS)
    for source, sheet, line in summaries(skipped):
        ws.append([source, sheet, "", "小结 summary", line, ""])
    for s in skipped:
        if s.kind != "empty":
            ws.append([s.source, s.sheet, s.row, _kind(s.kind), s.text, s.check])
    empty: dict[tuple[str, str], list[int]] = {}
    for s in skipped:
        if s.kind == "empty":
            empty.setdefault((s.source, s.sheet), []).append(s.row)
    for (source, sheet), rows in empty.items():
        ws.append([source, sheet, row_ranges(rows), _kind("empty"), "", ""])
    _style(ws, (18, 14, 10, 22, 48, 60), wrap_from=5)


def _kind(kind: str) -> str:
    zh, en = KINDS[kind]
    return f"{zh} {en}"


def _style(ws, widths: tuple[int, ...], wrap_from: int) -> None:
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="FFE699")
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
    for letter, width in zip("ABCDEFG", widths, strict=False):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=2, min_col=wrap_from, max_col=len(widths)):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def default_report_path(source: Path) -> Path:
    """Next to the input: 群租房.xlsx → 群租房_错误报告.xlsx."""
    return source.with_name(f"{source.stem}_错误报告.xlsx")


def print_rejections(console: Console, rejections: list[Rejection], limit: int = 40) -> None:
    table = Table(title="被拒绝的行 rejected rows", show_lines=False)
    for h in ["工作表 sheet", "行 row", "列 column", "值 value", "原因 reason"]:
        table.add_column(h, overflow="fold")
    for r in rejections[:limit]:
        table.add_row(r.sheet, str(r.row), r.column, r.value[:40], f"{r.reason_zh}\n{r.reason_en}")
    console.print(table)
    if len(rejections) > limit:
        console.print(f"… 另有 {len(rejections) - limit} 条，见错误报告 (more in the report)")


def print_summary(console: Console, result: FileResult) -> None:
    """Counts per sheet or layer, how rows were placed, and what happened to the file."""
    table = Table(title=f"{result.path.name}")
    table.add_column("表/图层\nsheet", no_wrap=True)
    for h in ["行\nrows", "新增\ninserted", "更新\nupdated", "未变\nunchanged", "删除\ndeleted"]:
        table.add_column(h, justify="right")
    table.add_column("拒绝\nrejected", justify="right")
    for s in result.sheets:
        table.add_row(
            s.name,
            f"{s.rows:,}",
            f"{s.inserted:,}",
            f"{s.updated:,}",
            f"{s.unchanged:,}",
            f"{s.deleted:,}",
            f"[red]{s.rejected:,}[/]" if s.rejected else "0",
        )
    console.print(table)
    if result.geocoded:
        console.print("定位方式 placed by: " + format_methods(result.geocoded))
    for note in result.notes:
        console.print(f"[dim]{note}[/]")
    for line in summary_lines(result.skipped):
        console.print(f"[cyan]{line}[/]")
    for warning in result.warnings:
        console.print(f"[bold yellow]警告 warning:[/] {warning}")
    if result.error:
        console.print(f"[bold red]{result.error}[/]")
    elif result.rolled_back:
        console.print(
            f"[bold red]{result.rejected_rows} 行有错误，整个文件未导入（--strict）；"
            "改正后重新导入，或用 --accept-valid 只导入正确的行。[/]\n"
            f"[red]{result.rejected_rows} rows have errors: nothing of this file was imported "
            "(--strict). Fix them, or use --accept-valid to load the valid rows.[/]"
        )
    elif result.rejected_rows:
        console.print(
            f"[yellow]已导入正确的行，{result.rejected_rows} 行被拒绝 "
            f"(valid rows imported, {result.rejected_rows} rejected)[/]"
        )
    else:
        console.print("[green]导入完成 imported[/]")


def format_methods(counts: Counter) -> str:
    return ", ".join(f"{METHOD_ZH.get(k, k)} {v:,}" for k, v in counts.most_common())
