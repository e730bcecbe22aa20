"""Cell values as villages write them → typed values, column at a time.

Each parser takes a pandas Series of raw cells (str, int, float, bool, date/datetime from
Excel, or None) and returns the parsed Series and a mask of cells it could not read. Parsing
runs once per distinct value (a column of 100 000 dates holds a few hundred distinct ones).
"""

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

from geo_service.clock import town_tz

_EXCEL_EPOCH = datetime(1899, 12, 30)
_BAD = object()  # sentinel: the cell could not be parsed

_TRUE = {"是", "y", "yes", "1", "√", "✓", "✔", "true", "t", "有", "已", "对"}
_FALSE = {"否", "n", "no", "0", "×", "✗", "✘", "x", "false", "f", "无", "未", "没有", "错"}
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TIME_RE = re.compile(r"^(\d{1,2})\s*[:时点]\s*(\d{1,2})?\s*(?:[:分]\s*(\d{1,2})\s*秒?)?\s*分?$")
_INT_UNITS = re.compile(r"(间|张|人|个|天|日|户|床|套|名|位)$")


def clean_text(value: object, nfkc: bool = True) -> str | None:
    """A cell as text, trimmed; empty → None. With `nfkc`, full width → half width (for
    codes, names and yes/no words that are matched; free text is kept as written)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 房屋编号 typed as a number: 12.0 → "12"
    s = str(value)
    if nfkc:
        s = unicodedata.normalize("NFKC", s)
    s = s.strip()
    return s or None


def is_blank(value: object) -> bool:
    return clean_text(value) is None


def _per_unique(
    series: pd.Series, parse: Callable[[object], object]
) -> tuple[pd.Series, pd.Series]:
    """Apply `parse` once per distinct cell (hashing in C); cells it returns `_BAD` for are
    flagged. Values equal in Python (1, 1.0, True) share one parse: they mean the same here.
    """
    codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
    results = [parse(v) for v in uniques]
    # The last slot serves the empty cells (code -1).
    values = np.array([None if v is _BAD else v for v in results] + [None], dtype=object)
    bad = np.array([v is _BAD for v in results] + [False], dtype=bool)
    return (
        pd.Series(values[codes], index=series.index, dtype=object),
        pd.Series(bad[codes], index=series.index, dtype=bool),
    )


def parse_text(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Free text (addresses, names, descriptions): trimmed, otherwise as written."""
    return _per_unique(series, lambda v: clean_text(v, nfkc=False))


def parse_code(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Identifiers and vocabulary words: full width → half width, trimmed."""
    return _per_unique(series, clean_text)


def _bool(value: object) -> object:
    if isinstance(value, bool):
        return value
    s = clean_text(value)
    if s is None:
        return None
    s = s.lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    return _BAD


def parse_bool(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """是/否, Y/N, yes/no, 1/0, √/×, true/false, 有/无."""
    return _per_unique(series, _bool)


def _int(value: object) -> object:
    if isinstance(value, bool):
        return _BAD
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() else _BAD
    s = clean_text(value)
    if s is None:
        return None
    s = _INT_UNITS.sub("", s.replace(",", ""))
    try:
        f = float(s)
    except ValueError:
        return _BAD
    return int(f) if f.is_integer() and not math.isinf(f) else _BAD


def parse_int(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Whole numbers: 12, 12.0, '１２', '12间'. Negative values parse (checked later)."""
    return _per_unique(series, _int)


def _float(value: object) -> object:
    if isinstance(value, bool):
        return _BAD
    if isinstance(value, int | float):
        return None if math.isnan(value) else float(value)
    s = clean_text(value)
    if s is None:
        return None
    try:
        f = float(s.replace(",", "").replace("°", ""))
    except ValueError:
        return _BAD
    return f if math.isfinite(f) else _BAD


def parse_float(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    return _per_unique(series, _float)


def _excel_serial(value: float) -> datetime | None:
    # A date cell formatted as General reads as its serial number (44682 = 2022-05-01).
    if 20000 <= value <= 80000:
        return _EXCEL_EPOCH + timedelta(days=value)
    return None


def _date(value: object) -> object:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return _BAD
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            return None
        compact = _COMPACT_DATE_RE.match(str(int(value))) if float(value).is_integer() else None
        if compact:
            return _ymd(*compact.groups())
        serial = _excel_serial(float(value))
        return serial.date() if serial else _BAD
    s = clean_text(value)
    if s is None:
        return None
    s = s.split(" ")[0] if re.match(r"^\d{4}-\d{1,2}-\d{1,2} \d", s) else s
    m = _DATE_RE.match(s) or _COMPACT_DATE_RE.match(s)
    return _ymd(*m.groups()) if m else _BAD


def _ymd(y: str, m: str, d: str) -> object:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return _BAD


def parse_date(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """2022-05-01, 2022/5/1, 2022.5.1, 2022年5月1日, 20220501, Excel date cells and serials."""
    return _per_unique(series, _date)


def _datetime(value: object) -> object:
    tz = town_tz()  # cells without a zone are the town's local time
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time(), tz)
    if isinstance(value, int | float) and not isinstance(value, bool):
        serial = _excel_serial(float(value))
        return serial.replace(tzinfo=tz) if serial else _BAD
    s = clean_text(value)
    if s is None:
        return None
    m = re.match(r"^(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)\s*(.*)$", s)
    if not m:
        return _BAD
    d = _date(m.group(1))
    if d is _BAD or d is None:
        return _BAD
    rest = m.group(2).strip()
    if not rest:
        return datetime.combine(d, time(), tz)  # type: ignore[arg-type]
    t = _TIME_RE.match(rest)
    if not t:
        return _BAD
    hh, mm, ss = (int(x) if x else 0 for x in t.groups())
    if hh > 23 or mm > 59 or ss > 59:
        return _BAD
    return datetime.combine(d, time(hh, mm, ss), tz)  # type: ignore[arg-type]


def parse_datetime(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates with an optional time (13:45, 13:45:10, 13时45分), Excel date-time cells."""
    return _per_unique(series, _datetime)


PARSERS: dict[str, Callable[[pd.Series], tuple[pd.Series, pd.Series]]] = {
    "text": parse_text,
    "code": parse_code,
    "bool": parse_bool,
    "int": parse_int,
    "float": parse_float,
    "date": parse_date,
    "datetime": parse_datetime,
}


def each(series: pd.Series, fn: Callable[[object], object]) -> pd.Series:
    """`fn` of every value (NaN passed as None), kept as objects: None stays None, ints stay
    ints (pandas' own `map` would turn a column of ints and None into floats and NaN)."""
    out = [fn(None if v is None or (isinstance(v, float) and math.isnan(v)) else v) for v in series]
    return pd.Series(out, index=series.index, dtype=object)


def each_distinct(series: pd.Series, fn: Callable[[object], object]) -> pd.Series:
    """`each` for a pure `fn`, asked once per distinct value (a column of 100,000 unit names
    holds a few dozen). Values are told apart as pandas hashes them, so strings only."""
    codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
    results = np.empty(len(uniques) + 1, dtype=object)
    for i, value in enumerate(uniques):
        results[i] = fn(value)
    results[-1] = fn(None)  # the empty cells (code -1)
    return pd.Series(results[codes], index=series.index, dtype=object)
