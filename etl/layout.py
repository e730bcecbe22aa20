"""The rows below a sheet's header, sorted into records and the rows office workbooks add.

A village's 台账 rarely holds records only. Below the header come empty rows, 合计/小计
rows, the header again on every printed page, and at the bottom the signatures and notes;
a 所属单位 is often merged down a block of houses. `sort_rows` keeps the records (a merged
cell read as its value on every row it spans), skips the other rows by kind — each listed
in the summary — and refuses any row that is neither, with its reason.

Most rows are plain records: they are told apart with whole-column operations, and only
the few suspects (little in the template's columns, a tell-tale word in the first columns,
a header's words) are looked at one by one.
"""

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from etl import row_kinds
from etl.skipped import KINDS, SkippedRow
from etl.templates import Column, Sheet, match_headers, normalize_header

# A cheap net for the words of totals, signatures and notes, spaces allowed between the
# characters (合 计); every row it catches is then looked at exactly (etl.row_kinds).
_NET_WORDS = "合计 小计 总计 共计 填表 填报 制表 统计人 审核 审批人 负责人 联系人 联系电话 "
_NET_WORDS += "报送 盖章 签字 签名 领导 备注 说明 附注 以下"
_SUSPECT = re.compile("|".join(r"\s*".join(word) for word in _NET_WORDS.split()) + r"|^\W*注")
# A text the net can catch holds one of these characters (each word's first, or 注): one
# quick scan spares the net's many branches at every position of an address or a code.
_NET_CHARS = re.compile("[" + "".join(sorted({w[0] for w in _NET_WORDS.split()} | {"注"})) + "]")
_LEAD_COLUMNS = 3


@dataclass(frozen=True)
class RefusedRow:
    """A row that is neither a record nor a row to skip: refused as a whole, with why."""

    row: int
    text: str
    reason: str  # a key of etl.rejections.REASONS
    fmt: dict = field(default_factory=dict)


@dataclass
class Layout:
    body: pd.DataFrame  # every row below the header (cells by position, plus `_row`)
    kinds: pd.Series  # per row of `body`: data, empty, total, footer, header or refused
    labels: dict[int, str]  # total rows: index in `body` → their label (合计, 小计 …)
    refused: list[RefusedRow]

    @property
    def records(self) -> pd.DataFrame:
        return self.body[self.kinds == "data"].reset_index(drop=True)

    def skipped(self, source: str, sheet: str, checks: dict[int, str]) -> list[SkippedRow]:
        """The skipped rows, each with what it says (`checks`: total row → its check)."""
        out = []
        for idx in self.kinds.index[self.kinds.isin(list(KINDS))]:
            row, kind = int(self.body.at[idx, "_row"]), self.kinds[idx]
            cells = self.body.loc[idx].drop("_row").tolist()
            text = "" if kind == "empty" else row_kinds.first_words(cells)
            out.append(SkippedRow(source, sheet, row, kind, text, checks.get(row, "")))
        return out


def fill_merged(rows: list[list[object]], merges, header_idx: int) -> None:
    """A cell merged down several rows below the header holds its value on each of them.

    Only the first column of a merge is filled (a cell merged across columns belongs to
    the first column's header), and only on rows that hold something else: an empty row
    inside a merged block stays empty.
    """
    for (top, left), (bottom, _right) in merges or ():
        if top <= header_idx or bottom <= top or top >= len(rows):
            continue
        value = rows[top][left] if left < len(rows[top]) else None
        if value in (None, ""):
            continue
        for r in range(top + 1, min(bottom, len(rows) - 1) + 1):
            row = rows[r]
            if left < len(row) and row[left] in (None, "") and any(_filled(v) for v in row):
                row[left] = value


def _filled(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def sort_rows(
    body: pd.DataFrame, sheet: Sheet, headers: list[object], above: list[list[object]]
) -> Layout:
    """Sort the rows below the header (`body`: cells by position, None when blank, `_row`).

    `above` are the rows above the header (a title, group headings), which printed forms
    repeat with it.
    """
    matched = match_headers(sheet, headers)
    present = body.drop(columns="_row").notna().to_numpy()
    blank = ~present.any(axis=1)
    if blank.all():
        return Layout(body.iloc[:0], pd.Series([], dtype=object), {}, [])
    last = int(np.flatnonzero(~blank)[-1])  # rows after the last filled one are no rows
    body, present, blank = body.iloc[: last + 1], present[: last + 1], blank[: last + 1]
    cells = body.drop(columns="_row")
    filled = present[:, list(matched)].sum(axis=1)
    lead = _lead_cells(cells.to_numpy(dtype=object), present)
    words = {str(v).strip() for row in [headers, *above] for v in row if _filled(v)}
    telling = _any_cell(lead, lambda v: v.strip() in words or _caught(v))
    suspects = ((filled <= 1) | telling) & ~blank
    kinds = pd.Series("data", index=body.index, dtype=object)
    kinds[blank] = "empty"
    labels: dict[int, str] = {}
    differs: set[int] = set()
    key_pos = next((p for p, c in matched.items() if c.header == sheet.key_header), None)
    for i in np.flatnonzero(suspects):
        idx = body.index[i]
        row = cells.loc[idx].tolist()
        kind, label = _kind(row, int(filled[i]), sheet, matched, key_pos, above)
        kinds[idx] = "refused" if kind == "header_differs" else kind
        if kind == "header_differs":
            differs.add(idx)
        if label:
            labels[idx] = label
    _notes_run_on(kinds)
    refused = []
    for idx in kinds.index[kinds.isin(["stray", "refused"])]:
        text = row_kinds.first_words(cells.loc[idx].tolist())
        row = int(body.at[idx, "_row"])
        if idx in differs:
            refused.append(RefusedRow(row, text, "header_differs", {"first": _header_row(body)}))
        else:
            refused.append(RefusedRow(row, text, "unrecognised_row"))
    kinds[kinds == "stray"] = "refused"
    return Layout(body, kinds, labels, refused)


def _caught(text: str) -> bool:
    return _NET_CHARS.search(text) is not None and _SUSPECT.search(text) is not None


def _header_row(body: pd.DataFrame) -> int:
    return int(body["_row"].iloc[0]) - 1


def _lead_cells(values: np.ndarray, present: np.ndarray) -> list[np.ndarray]:
    """The cells where a row that is no record shows it: its first filled cell and the
    first three columns (序号, 房屋编号, 所属单位; a title, a 合计, 填表人 …)."""
    first = values[np.arange(len(values)), present.argmax(axis=1)]
    first[present[:, 0]] = None  # where the first filled cell is the first column's
    return [first, *values[:, :_LEAD_COLUMNS].T]


def _any_cell(columns: list[np.ndarray], test) -> np.ndarray:
    """Rows where `test` holds for a text cell of one of `columns`, asked once per distinct
    cell (a column of 100,000 unit names holds a few dozen)."""
    hit = np.zeros(len(columns[0]), dtype=bool)
    for column in columns:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        found = [isinstance(v, str) and bool(test(v)) for v in uniques]
        found = np.array([*found, False], dtype=bool)
        hit |= found[codes]
    return hit


def _kind(
    row: list[object],
    filled: int,
    sheet: Sheet,
    matched: dict[int, Column],
    key_pos: int | None,
    above: list[list[object]],
) -> tuple[str, str | None]:
    """What a suspect row is: empty, header, header_differs, total, footer, data or stray."""
    others = [v for p, v in enumerate(row) if p not in matched and v is not None]
    if filled == 0 and all(row_kinds.is_number(v) for v in others):
        return "empty", None  # nothing but a pre-printed 序号
    named = match_headers(sheet, row)
    if len(named) >= 2:
        same = all(p in matched and matched[p].field == c.field for p, c in named.items())
        return ("header" if same else "header_differs"), None
    if any(_same_cells(row, heading) for heading in above):
        return "header", None
    label = row_kinds.total_label(row, key_pos)
    if label:
        return "total", label
    if row_kinds.is_footer(row):
        return "footer", None
    return ("data" if filled >= 2 else "stray"), None


def _same_cells(row: list[object], heading: list[object]) -> bool:
    """The row repeats a title or group-heading row (same words in the same columns)."""
    mine = {p: normalize_header(v) for p, v in enumerate(row) if _filled(v)}
    theirs = {p: normalize_header(v) for p, v in enumerate(heading) if _filled(v)}
    return bool(mine) and mine == {p: t for p, t in theirs.items() if p < len(row)}


def _notes_run_on(kinds: pd.Series) -> None:
    """A stray line belongs to the footer when it continues a note (the lines after 说明：)
    or sits among the signatures below the last record; elsewhere it stays refused."""
    in_note = False
    for idx, kind in kinds.items():
        if kind == "footer":
            in_note = True
        elif kind == "stray" and in_note:
            kinds[idx] = "footer"
        elif kind != "empty":
            in_note = False
    data = kinds.index[kinds == "data"]
    tail = kinds.loc[data[-1] + 1 :] if len(data) else kinds
    if (tail == "footer").any():
        kinds[tail.index[tail == "stray"]] = "footer"
