"""Rows of a sheet that are not records and were skipped — each kind said, never silently.

Office workbooks carry rows around the data: empty rows, 合计/小计 rows, footers with the
signatures (填表人, 审核人 …) and notes (备注, 说明), and the header repeated on every printed
page. The import skips them and lists them here, for the summary, the JSON result and the
error workbook.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby

# kind → (Chinese, English) as shown to the user
KINDS: dict[str, tuple[str, str]] = {
    "empty": ("空行", "empty rows"),
    "total": ("合计/小计行", "total rows"),
    "footer": ("签名/备注行", "footer rows (signatures, notes)"),
    "header": ("重复的表头", "repeated header rows"),
}


@dataclass(frozen=True)
class SkippedRow:
    """One skipped row: where it is (as Excel numbers it), what kind, what it says."""

    source: str  # file name
    sheet: str
    row: int
    kind: str  # a key of KINDS
    text: str = ""  # the row's first words ("" for an empty row)
    check: str = ""  # a total row: how its sums compare with the rows above

    def to_dict(self) -> dict[str, object]:
        zh, en = KINDS[self.kind]
        return {
            "sheet": self.sheet,
            "row": self.row,
            "kind": self.kind,
            "kind_zh": zh,
            "kind_en": en,
            "text": self.text,
            "check": self.check,
        }


def row_ranges(rows: Iterable[int]) -> str:
    """3, 4, 5, 9 → '3–5、9' (a few hundred empty rows stay one short line)."""
    ordered = sorted(set(rows))
    parts = []
    for _, run in groupby(enumerate(ordered), key=lambda t: t[1] - t[0]):
        block = [r for _, r in run]
        parts.append(str(block[0]) if len(block) == 1 else f"{block[0]}–{block[-1]}")
    return "、".join(parts)


def summaries(skipped: list[SkippedRow]) -> list[tuple[str, str, str]]:
    """(file, sheet, line) per sheet: how many rows of each kind were skipped, and which."""
    out = []
    for (source, sheet), group in groupby(skipped, key=lambda s: (s.source, s.sheet)):
        rows = list(group)
        parts = []
        for kind, (zh, en) in KINDS.items():
            numbers = [s.row for s in rows if s.kind == kind]
            if numbers:
                parts.append(f"{len(numbers)} 行{zh} {en} (第 {row_ranges(numbers)} 行)")
        out.append((source, sheet, f"{sheet}: 已跳过 skipped " + "；".join(parts)))
    return out


def summary_lines(skipped: list[SkippedRow]) -> list[str]:
    return [line for _, _, line in summaries(skipped)]
