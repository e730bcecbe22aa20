"""The picture of docs/import.md: an office-style 群租房 sheet, as Excel would show it, with
what the import makes of each row written beside it.

    PYTHONPATH=$PWD:$PWD/tests .venv/bin/python tests/office_sample_picture.py \
        docs/img/office-workbook.png

The sheet is `office_workbooks.office_workbook` with every habit (one wrong 床位数 合计, so the
warning shows); it is drawn as an HTML table (merged cells as col/rowspans) and photographed
by the system Chromium, every request refused (the page is self-contained).
"""

import html
import sys
import tempfile
from pathlib import Path

import office_workbooks as o
from openpyxl import load_workbook
from playwright.sync_api import sync_playwright

from etl.readers import read_excel
from etl.skipped import KINDS
from web_map.snapshot import CHROMIUM_ARGS, chromium_path

SHEET = "群租房台账"
SHOWN = 16  # columns A..P: 序号 … 已登记租住人数 (the rest is more of the same)
STYLE = """
body { font: 13px "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; margin: 12px; }
table { border-collapse: collapse; }
td { border: 1px solid #c8c8c8; padding: 2px 6px; white-space: nowrap; height: 20px; }
td.n { text-align: right; } td.rowno { background: #efefef; color: #666; text-align: right; }
tr.head td { background: #dfe8f5; font-weight: bold; } tr.title td:not(.what) { font-size: 16px; }
tr.skip td { background: #f4f4f4; color: #777; } tr.refused td { background: #fde2e1; }
td.what { border: none; padding-left: 14px; color: #555; font-size: 12px; }
td.what.skip { color: #8a6d00; } td.what.warn { color: #b00020; }
tr.colhead td { background: #efefef; color: #666; text-align: center; }
"""


def _verdicts(path: Path) -> dict[int, tuple[str, str]]:
    """Excel row → (css class, what the import does with it)."""
    (raw,) = [r for r in read_excel(path)[0] if r.source_name == SHEET]
    out = {int(r): ("", "导入 record") for r in raw.frame["_row"]}
    for s in raw.skipped:
        zh, _ = KINDS[s.kind]
        note = f"跳过 skipped：{zh}"
        if s.check:
            agrees = "相符" in s.check
            note += "，与上方各行之和相符 ✓" if agrees else "，床位数与上方之和不符 → 警告"
        out[s.row] = ("skip" if not s.check or "相符" in s.check else "warn", note)
    for r in raw.refused:
        out[r.row] = ("refused", "拒绝 refused")
    for row in range(1, raw.header_row + 1):
        out[row] = ("head", "表头 header")
    return out


def _merged(ws) -> tuple[dict[tuple[int, int], tuple[int, int]], set[tuple[int, int]]]:
    """Top-left cell → (rowspan, colspan) of each merge, and every cell a merge covers."""
    spans, covered = {}, set()
    for m in ws.merged_cells.ranges:
        spans[(m.min_row, m.min_col)] = (
            m.max_row - m.min_row + 1,
            min(m.max_col, SHOWN) - m.min_col + 1,
        )
        rows, cols = range(m.min_row, m.max_row + 1), range(m.min_col, m.max_col + 1)
        covered |= {(r, c) for r in rows for c in cols}
    return spans, covered


def _cell(value: object, rows: int, cols: int) -> str:
    shown = value.date() if hasattr(value, "date") else value
    text = "" if value is None else html.escape(str(shown))
    number = "n" if isinstance(value, int | float) else ""
    return f"<td class='{number}' rowspan='{rows}' colspan='{cols}'>{text}</td>"


def sheet_html(path: Path) -> str:
    ws = load_workbook(path)[SHEET]
    spans, covered = _merged(ws)
    verdict = _verdicts(path)
    letters = "".join(f"<td>{chr(64 + c)}</td>" for c in range(1, SHOWN + 1))
    lines = [f"<tr class='colhead'><td></td>{letters}<td>…</td></tr>"]
    for r in range(1, ws.max_row + 1):
        css, what = verdict.get(r, ("", ""))
        kind = {"warn": "skip"}.get(css, css) + (" title" if r == 1 else "")
        cells = [f"<td class='rowno'>{r}</td>"]
        for c in range(1, SHOWN + 1):
            if (r, c) not in covered or (r, c) in spans:
                cells.append(_cell(ws.cell(r, c).value, *spans.get((r, c), (1, 1))))
        cells.append(f"<td>…</td><td class='what {css}'>{what}</td>")
        lines.append(f"<tr class='{kind}'>{''.join(cells)}</tr>")
    head = f"<head><meta charset='utf-8'><style>{STYLE}</style></head>"
    return f"<html>{head}<body><table>{''.join(lines)}</table></body></html>"


def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        habits = o.ALL.all_of_them(wrong_totals={"total 床位数": 50})
        path, _ = o.office_workbook(Path(tmp) / "台账.xlsx", habits)
        page_html = sheet_html(path)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 400}, device_scale_factor=1.5)
        page.route("**/*", lambda route: route.abort())
        page.set_content(page_html)
        page.locator("table").screenshot(path=str(out))
        browser.close()
    print(out)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
