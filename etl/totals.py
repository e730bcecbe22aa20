"""A skipped 合计/小计 row checked against the rows above it, when it can be.

A village that copies its 台账 from last month's file may lose rows on the way; its total
row, typed or computed before, then disagrees with what is left. The numeric columns of the
template (出租居室数, 床位数, 租住人数 …) that the total row fills are summed over the records
above it: a 小计 (or 本页合计) over those since the previous total row, a 合计/总计/共计 over all
of them — either way counts as agreeing, so a grand total below subtotals is understood.
A disagreement is a warning; the records still import.
"""

import math
from dataclasses import dataclass

import pandas as pd

from etl.layout import Layout
from etl.skipped import row_ranges
from etl.templates import Column, Sheet, match_headers
from etl.values import PARSERS

_NUMERIC = ("int", "float")
_NOT_SUMMED = {"lon", "lat"}  # coordinates are numbers, not quantities


@dataclass(frozen=True)
class TotalCheck:
    row: int
    agrees: bool
    message: str  # what the user reads: agreeing, or which columns differ and by how much


def check_totals(layout: Layout, sheet: Sheet, headers: list[object]) -> list[TotalCheck]:
    """One check per total row that fills at least one numeric column of the template."""
    if not layout.labels:
        return []
    numeric = {
        p: c
        for p, c in match_headers(sheet, headers).items()
        if c.kind in _NUMERIC and c.field not in _NOT_SUMMED
    }
    body, kinds = layout.body, layout.kinds
    parsed = {p: PARSERS[c.kind](body[p]) for p, c in numeric.items()}
    checks, since = [], []
    above: list[int] = []
    for idx in body.index:
        if kinds[idx] == "data":
            above.append(idx)
            since.append(idx)
        elif idx in layout.labels:
            label = layout.labels[idx]
            result = _check(idx, label, numeric, parsed, body, since, above)
            if result:
                checks.append(result)
            since = []
    return checks


def _check(
    idx: int,
    label: str,
    numeric: dict[int, Column],
    parsed: dict[int, tuple[pd.Series, pd.Series]],
    body: pd.DataFrame,
    since: list[int],
    above: list[int],
) -> TotalCheck | None:
    stated = {}
    for pos in numeric:
        values, bad = parsed[pos]
        if values[idx] is not None and not bad[idx]:
            stated[pos] = values[idx]
    if not stated:
        return None  # a total with no numbers in the template's numeric columns: no check
    row = int(body.at[idx, "_row"])
    spans = [since, above] if ("小计" in label or "本页" in label) else [above, since]
    for span in spans:
        if not _differences(stated, parsed, span):
            return TotalCheck(row, True, f"与上方 {len(span)} 行之和相符 sums agree")
    span = spans[0]
    diffs = _differences(stated, parsed, span)
    rows = row_ranges(int(body.at[i, "_row"]) for i in span) or "无 none"
    zh = "，".join(f"{numeric[p].header} 写 {_show(v)}，各行之和 {_show(s)}" for p, v, s in diffs)
    en = ", ".join(f"{numeric[p].header} {_show(v)} ≠ {_show(s)}" for p, v, s in diffs)
    message = (
        f"第 {row} 行“{label}”与上方 {len(span)} 行（第 {rows} 行）之和不符：{zh}；"
        f"可能复制时漏了行，请核对 / the total on row {row} disagrees with the sum of the "
        f"{len(span)} rows above: {en} — rows may have been lost when copying"
    )
    return TotalCheck(row, False, message)


def _differences(
    stated: dict[int, object], parsed: dict[int, tuple[pd.Series, pd.Series]], span: list[int]
) -> list[tuple[int, object, object]]:
    """(column, stated, summed) for each column whose sum over `span` is not the stated one.

    A column with an unreadable cell in the span is not compared: that row is refused on
    its own, and its value is unknown.
    """
    out = []
    for pos, value in stated.items():
        values, bad = parsed[pos]
        if bad.loc[span].any():
            continue
        summed = sum(v for v in values.loc[span] if v is not None)
        if not math.isclose(float(summed), float(value), rel_tol=1e-9, abs_tol=1e-6):
            out.append((pos, value, summed))
    return out


def _show(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"{value:g}" if isinstance(value, float) else str(value)
