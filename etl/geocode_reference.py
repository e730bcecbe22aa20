"""Where the geocoder reads the standard addresses (标准地址/门牌) from.

- `DbReference` asks the database for just the rows a batch of addresses needs: the exact
  forms through the unique index on `addresses.normalized`, the fuzzy candidates (same unit,
  same numbers) through the expression index `ix_addresses_numbers`. The cost of a file
  follows the file, not the layer: a city has over a million door plates, and reading them
  all for a 300-row village file took seconds and ~800 MB per import.
- `MemoryReference` holds a snapshot of the whole layer, for callers that geocode after their
  connection is gone (a small town, tests). Both return the same rows in the same order
  (by `addresses.id`), so the geocoder decides the same way on either.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import cache

import pandas as pd

from geo_service.sqlfiles import script

# ASCII digits only, like the index expression's [0-9]: the normaliser has already turned
# full-width and Chinese numerals into them (NFKC, 十二号 → 12号).
_NUMBERS = re.compile(r"[0-9]+")
_CHUNK = 5000  # keys per query: bounded statements for big `geocode` files
# Exact forms per query: one row each at most, so larger; at this size the join is hashed
# (0.16 s of the server for 100,000 forms, 0.27 s probing the index 5,000 at a time).
_EXACT_CHUNK = 50_000

# (unit id or None, numbers key): the fuzzy candidates of one unit (None: the whole town)
BlockKey = tuple[int | None, str]
# (normalised text, unit id, lon, lat)
Row = tuple[str, int | None, float, float]


def numbers_key(text: str) -> str:
    """The digit runs of `text` joined by one space: 戴溪社区人民路12号3幢 → '12 3'.

    Same as `btrim(regexp_replace(normalized, '[^0-9]+', ' ', 'g'))` in SQL.
    """
    return " ".join(_NUMBERS.findall(text))


@cache
def sql(name: str) -> str:
    """A packaged SQL file of `etl/sql` (not `etl.checks.sql`: that module imports us)."""
    return script("etl", f"sql/{name}")


def _chunks(items: list, size: int = _CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class DbReference:
    """Standard addresses read on demand through `conn` (inside the caller's transaction)."""

    def __init__(self, conn) -> None:
        self.conn = conn

    def exact(self, texts: list[str]) -> dict[str, Row]:
        """The standard addresses whose normalised text is one of `texts`."""
        out: dict[str, Row] = {}
        with self.conn.cursor() as cur:
            for part in _chunks(texts, _EXACT_CHUNK):  # distinct: `Geocoder._load_exact`
                cur.execute(sql("geocode_exact.sql"), {"texts": part})
                for norm, unit_id, lon, lat in cur.fetchall():
                    out[norm] = (norm, unit_id, float(lon), float(lat))
        return out

    def candidates(self, keys: list[BlockKey]) -> dict[BlockKey, list[Row]]:
        """For each key, the addresses of that unit (any, for None) with those numbers."""
        out: dict[BlockKey, list[Row]] = defaultdict(list)
        with self.conn.cursor() as cur:
            for part in _chunks(keys):
                cur.execute(
                    sql("geocode_candidates.sql"),
                    {"numbers": [k[1] for k in part], "units": [k[0] for k in part]},
                )
                for i, norm, unit_id, lon, lat in cur.fetchall():
                    out[part[i - 1]].append((norm, unit_id, float(lon), float(lat)))
        return out


class MemoryReference:
    """A snapshot of the whole layer (columns normalized, unit_id, lon, lat; in id order)."""

    def __init__(self, addresses: pd.DataFrame) -> None:
        ids = [None if pd.isna(u) else int(u) for u in addresses["unit_id"]]
        self.rows: list[Row] = list(
            zip(
                addresses["normalized"].tolist(),
                ids,
                addresses["lon"].astype(float).tolist(),
                addresses["lat"].astype(float).tolist(),
                strict=True,
            )
        )
        self.by_text = {r[0]: r for r in self.rows}
        self._by_numbers: dict[str, list[int]] | None = None

    def exact(self, texts: list[str]) -> dict[str, Row]:
        return {t: self.by_text[t] for t in texts if t in self.by_text}

    def candidates(self, keys: list[BlockKey]) -> dict[BlockKey, list[Row]]:
        if self._by_numbers is None:  # built on the first fuzzy need: a clean file never pays
            self._by_numbers = defaultdict(list)
            for i, row in enumerate(self.rows):
                self._by_numbers[numbers_key(row[0])].append(i)
        out: dict[BlockKey, list[Row]] = {}
        for unit_id, numbers in keys:
            members = (self.rows[i] for i in self._by_numbers.get(numbers, ()))
            out[(unit_id, numbers)] = [r for r in members if unit_id is None or r[1] == unit_id]
        return out
