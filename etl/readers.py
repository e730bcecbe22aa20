"""Reading workbooks and CSV files into raw sheets, keeping the row numbers Excel shows.

Excel (`.xlsx`, `.xlsm`, `.xls`) is read with calamine (fast, and date cells come back as
dates). CSV files may be UTF-8 with or without BOM, or GBK/GB18030 (what Excel on a Chinese
Windows writes); the encoding is detected by trying UTF-8 first — GBK text is almost never
valid UTF-8. A title row above the header is allowed: the header is the first of the top ten
rows that names at least two template columns. The rows below it are sorted by
`etl.layout` (records; empty, total, footer and repeated header rows skipped and listed),
and 合计/小计 rows are checked against the records above them (`etl.totals`).
"""

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from etl.layout import RefusedRow, fill_merged, sort_rows
from etl.skipped import SkippedRow
from etl.templates import SHEETS, Sheet, match_headers, sheet_for_name
from etl.totals import check_totals
from geo_service.errors import ValidationError

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv", ".txt"}
_HEADER_SCAN_ROWS = 10


@dataclass
class RawSheet:
    """The records of one sheet below its header, with the Excel row number of each, and
    the rows that are not records: skipped (with their kind) or refused (with the reason)."""

    sheet: Sheet
    source_name: str  # sheet name (workbook) or file name (CSV)
    header_row: int  # 1-based
    headers: list[object]
    frame: pd.DataFrame  # positional columns 0..n-1, raw cell values, plus `_row`
    skipped: list[SkippedRow] = field(default_factory=list)
    refused: list[RefusedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # totals that disagree


def decode_csv(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in (utf-8-sig or gb18030)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ValidationError("cannot read the CSV: neither UTF-8 nor GBK (无法识别文件编码)")


def _find_header(rows: list[list[object]], candidates: tuple[Sheet, ...]) -> tuple[int, Sheet]:
    """The first row naming ≥ 2 template columns, and the sheet it names best."""
    for i, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        scored = []
        for sheet in candidates:
            matched = match_headers(sheet, row)
            if len(matched) >= 2:
                required = sum(c.required for c in matched.values())
                scored.append((required, len(matched), -SHEETS.index(sheet), sheet))
        if scored:
            return i, max(scored, key=lambda t: t[:3])[3]
    raise ValueError("no header row")


def _to_raw(
    rows: list[list[object]], source: str, name: str, hint: Sheet | None, merges=None
) -> RawSheet | None:
    candidates = (hint,) if hint else SHEETS
    try:
        header_idx, sheet = _find_header(rows, candidates)
    except ValueError:
        return None
    headers = list(rows[header_idx])
    width = len(headers)
    fill_merged(rows, merges, header_idx)
    body = [_cells(r, width) for r in rows[header_idx + 1 :]]
    frame = pd.DataFrame(body, columns=range(width), dtype=object)
    frame["_row"] = range(header_idx + 2, header_idx + 2 + len(body))
    above = [list(r[:width]) for r in rows[:header_idx]]
    layout = sort_rows(frame, sheet, headers, above)
    checks = check_totals(layout, sheet, headers)
    skipped = layout.skipped(source, name, {c.row: c.message for c in checks})
    warnings = [f"{name}: {c.message}" for c in checks if not c.agrees]
    return RawSheet(
        sheet, name, header_idx + 1, headers, layout.records, skipped, layout.refused, warnings
    )


def _cells(row: list[object], width: int) -> list[object]:
    """A row cut or padded to the header's width; empty cells and cells of spaces only
    (full-width ones too) are None, so that a row of them is an empty row."""
    cells = [None if v.__class__ is str and (not v or v.isspace()) else v for v in row[:width]]
    return cells + [None] * (width - len(cells))


def read_excel(path: Path) -> tuple[list[RawSheet], list[str]]:
    """Template sheets of a workbook, and notes on the sheets that were skipped."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as e:  # calamine raises its own error types for damaged files
        raise ValidationError(
            f"cannot open the workbook {path.name}: {e} (无法打开工作簿)"
        ) from None
    sheets, notes = [], []
    for name in workbook.sheet_names:
        sheet = workbook.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False)
        raw = _to_raw(rows, path.name, name, sheet_for_name(name), sheet.merged_cell_ranges)
        if raw is None:
            notes.append(f"工作表“{name}”不是模板中的表，已跳过 (sheet {name!r} skipped)")
        else:
            sheets.append(raw)
    return sheets, notes


def read_csv(path: Path) -> tuple[RawSheet, str]:
    """One CSV file as a template sheet (named by the file, else recognised by its headers)."""
    text, encoding = decode_csv(path.read_bytes())
    rows: list[list[object]] = [list(r) for r in csv.reader(io.StringIO(text))]
    raw = _to_raw(rows, path.name, path.name, sheet_for_name(path.stem))
    if raw is None:
        raise ValidationError(
            f"{path.name}: no template header found "
            "(未找到模板表头：单位/群租房/隐患/检查记录/警情)"
        )
    return raw, encoding
