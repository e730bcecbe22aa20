"""One sheet per village: a 群租房 sheet named after its village gives its rows their unit.

Villages often keep one sheet per village in a workbook (sheets 戴溪社区, 岑村村 …), with or
without a 所属单位 column. A row's unit is the one its 所属单位 cell names; where the column is
missing, or the cell empty, it is the village the sheet's name names (戴溪社区, 戴溪村,
戴溪社区群租房台账) — never a guess: a sheet whose name names no village leaves those rows to
be refused as before. The summary says which rows took their unit from the sheet name.
"""

import re

from etl.context import Context
from etl.readers import RawSheet
from etl.skipped import row_ranges
from etl.templates import HOUSES, match_headers

_FILE_SUFFIX = re.compile(r"\.(csv|txt)$", re.IGNORECASE)


def village_of_sheet(name: str, ctx: Context) -> str | None:
    """The village or community a sheet (or CSV file) name names, if exactly that."""
    written = _FILE_SUFFIX.sub("", name)
    normalizer = ctx.normalizer
    return normalizer.resolve_unit(written) or normalizer.leading_unit(normalizer(written))


def units_from_sheet_name(raw: RawSheet, ctx: Context) -> str | None:
    """Fill the missing 所属单位 of a 群租房 sheet from its name; the note saying so, if any."""
    if raw.sheet is not HOUSES:
        return None
    unit = village_of_sheet(raw.source_name, ctx)
    if unit is None:
        return None
    column = HOUSES.column("unit_name")
    matched = match_headers(HOUSES, raw.headers)
    pos = next((p for p, c in matched.items() if c.field == column.field), None)
    if pos is None:
        pos = len(raw.headers)
        raw.headers.append(column.header)
        raw.frame.insert(pos, pos, unit)
        return (
            f"工作表“{raw.source_name}”没有“所属单位”列：{len(raw.frame)} 行的单位取自工作表名"
            f"（{unit}） / no 所属单位 column: the unit of its {len(raw.frame)} rows is taken "
            "from the sheet name"
        )
    empty = raw.frame[pos].isna()
    if not empty.any():
        return None
    rows = row_ranges(raw.frame.loc[empty, "_row"])
    raw.frame.loc[empty, pos] = unit
    return (
        f"工作表“{raw.source_name}”第 {rows} 行未填“所属单位”：取自工作表名（{unit}） / "
        f"rows {rows} have no 所属单位: taken from the sheet name"
    )
