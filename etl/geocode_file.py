"""`geo-service geocode`: place a table of addresses on its own, for checking the geocoder."""

import csv
import io
from collections import Counter
from pathlib import Path

import pandas as pd

from etl.address import AddressNormalizer
from etl.config import town_config
from etl.geocoder import Geocoder
from etl.readers import EXCEL_SUFFIXES, decode_csv
from etl.templates import normalize_header
from geo_service.config import Settings
from geo_service.errors import ValidationError

OUTPUT_COLUMNS = {
    "lon": "经度",
    "lat": "纬度",
    "method": "定位方式",
    "confidence": "置信度",
    "needs_review": "需复核",
    "matched": "匹配地址",
}


def _read_table(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise ValidationError(f"{path}: no such file (文件不存在)")
    if path.suffix.lower() in EXCEL_SUFFIXES:
        from python_calamine import CalamineWorkbook

        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    else:
        text, _ = decode_csv(path.read_bytes())
        rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise ValidationError(f"{path.name}: empty file (空文件)")
    header = [str(h).strip() for h in rows[0]]
    body = [list(r) + [None] * (len(header) - len(r)) for r in rows[1:]]
    return pd.DataFrame([r[: len(header)] for r in body], columns=header, dtype=object)


def _find(frame: pd.DataFrame, name: str) -> str | None:
    wanted = normalize_header(name)
    return next((c for c in frame.columns if normalize_header(c) == wanted), None)


def geocode_file(
    conn,
    source: Path,
    output: Path | None,
    address_column: str = "地址",
    unit_column: str | None = "所属单位",
    min_confidence: float | None = None,
) -> tuple[Path, Counter]:
    """Geocode `source` (CSV or xlsx) and write it with the placement columns added."""
    frame = _read_table(source)
    col = _find(frame, address_column)
    if col is None:
        raise ValidationError(
            f"{source.name}: no column {address_column!r} (找不到地址列；用 --address-column 指定)"
        )
    town = town_config(Settings())
    conn.set_session(readonly=True)
    with conn.cursor() as cur:
        cur.execute("SELECT name, id FROM units WHERE kind <> 'department'")
        units = dict(cur.fetchall())
    normalizer = AddressNormalizer(town, units)
    threshold = town.min_confidence if min_confidence is None else min_confidence
    geocoder = Geocoder.on_connection(conn, normalizer, threshold)
    ucol = _find(frame, unit_column) if unit_column else None
    unit_ids = (
        frame[ucol].map(lambda v: units.get(normalizer.resolve_unit(v)) if v else None).tolist()
        if ucol
        else [None] * len(frame)
    )
    addresses = frame[col].map(lambda v: None if v is None else str(v)).tolist()
    placed = geocoder.geocode(addresses, unit_ids)
    conn.rollback()  # read-only: end the transaction the lookups opened
    out = frame.copy()
    for key, header in OUTPUT_COLUMNS.items():
        out[header] = placed[key].to_numpy()
    out["需复核"] = out["需复核"].map({True: "是", False: "否"})
    target = output or source.with_name(f"{source.stem}_geocoded.csv")
    if target.suffix.lower() in EXCEL_SUFFIXES:
        out.to_excel(target, index=False)
    else:
        out.to_csv(target, index=False, encoding="utf-8-sig")  # BOM: Excel opens it right
    return target, Counter(placed["method"].fillna("none"))
