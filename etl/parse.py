"""From raw cells to typed fields: header matching, per-type parsing, required and length checks."""

from dataclasses import dataclass

import pandas as pd

from etl.readers import RawSheet
from etl.rejections import WHOLE_ROW, RejectionList
from etl.templates import Column, Sheet, match_headers
from etl.values import PARSERS, each_distinct

_BAD_KEY = {
    "bool": "bad_bool",
    "int": "bad_int",
    "float": "bad_number",
    "date": "bad_date",
    "datetime": "bad_datetime",
}


@dataclass
class Parsed:
    """Typed fields of one sheet (`frame`, one column per field present, plus `_row`)."""

    sheet: Sheet
    frame: pd.DataFrame
    raw: pd.DataFrame  # the same rows, raw cells by field (for messages and special checks)
    present: set[str]
    written: dict[str, str]  # field → the header as the file writes it
    rejections: RejectionList
    ignored: list[str]
    fatal: bool = False  # a required column is missing: no row can load

    def header(self, field: str) -> str:
        return self.written.get(field, self.sheet.column(field).header)

    def reject(self, mask: pd.Series, field: str, key: str, **fmt: object) -> None:
        values = self.raw.get(field, None)
        self.rejections.add_mask(self.frame, mask, self.header(field), key, values, **fmt)

    def valid(self) -> pd.DataFrame:
        """The rows without any rejection."""
        return self.frame[~self.frame["_row"].isin(self.rejections.bad_rows)]

    def column(self, field: str) -> pd.Series:
        """A field's values (all None when the file lacks the column)."""
        if field in self.frame:
            return self.frame[field]
        return pd.Series([None] * len(self.frame), index=self.frame.index, dtype=object)


def parse_sheet(raw: RawSheet, rejections: RejectionList) -> Parsed:
    """Match the headers and parse every template column; bad cells become rejections, and
    so do the rows that are neither records nor rows to skip (`raw.refused`)."""
    sheet = raw.sheet
    for refused in raw.refused:
        rejections.add(refused.row, WHOLE_ROW, refused.text, refused.reason, **refused.fmt)
    matched = match_headers(sheet, raw.headers)
    fields = {col.field: pos for pos, col in matched.items()}
    written = {col.field: str(raw.headers[pos]).strip() for pos, col in matched.items()}
    ignored = [
        str(h).strip()
        for pos, h in enumerate(raw.headers)
        if pos not in matched and h not in (None, "")
    ]
    frame = pd.DataFrame({"_row": raw.frame["_row"]})
    raw_fields = pd.DataFrame({"_row": raw.frame["_row"]})
    for col in sheet.columns:
        if col.field in fields:
            raw_fields[col.field] = raw.frame[fields[col.field]]
    parsed = Parsed(sheet, frame, raw_fields, set(fields), written, rejections, ignored)
    missing = [c for c in sheet.columns if c.required and c.field not in fields]
    for col in missing:
        rejections.add(raw.header_row, col.header, None, "missing_column", header=col.header)
    if missing:  # without a required column no row can load
        rejections.bad_rows.update(int(r) for r in frame["_row"])
        parsed.fatal = True
    for col in sheet.columns:
        if col.field in fields:
            _parse_column(parsed, col)
    return parsed


def _parse_column(parsed: Parsed, col: Column) -> None:
    values, bad = PARSERS[col.kind](parsed.raw[col.field])
    parsed.frame[col.field] = values
    if col.kind in _BAD_KEY:
        parsed.reject(bad, col.field, _BAD_KEY[col.kind])
    if col.required:
        parsed.reject(values.isna() & ~bad, col.field, "required")
    if col.max_len:
        too_long = each_distinct(values, lambda v: isinstance(v, str) and len(v) > col.max_len)
        parsed.reject(too_long.astype(bool), col.field, "too_long", limit=col.max_len)
