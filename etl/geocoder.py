"""Offline geocoding of Chinese addresses against the standard-address layer (标准地址/门牌).

For each distinct (address, unit) the geocoder tries, in order:

1. **exact** – the normalised address (prefixed with its unit when the village is missing)
   equals a standard address; then the same with the room / floor / entrance / building parts
   cut off the end (`…12号3幢201室` → `…12号`), since door plates stop at the number;
2. **fuzzy** – among the standard addresses of the same unit that carry *the same numbers*
   (a wrong house number is a wrong place, so numbers are never fuzzy), the most similar by
   characters or by sound (`etl.similarity`); refused when the runner-up is as good and lies
   elsewhere (ambiguous);
3. **unit_centroid** – below `min_confidence` the row is *not* placed on a guess: it goes to a
   point inside its unit (`ST_PointOnSurface`) with `needs_review`, shown as low precision.

An address without its village is read with the row's unit (所属单位) when known; one that
starts with a village's bare stem (岑村3组5号, but also 湖滨中路… where 湖滨 begins a road) is
read both ways. An address naming another village than the row's unit is not placed.

The reference layer is read in one query; matching runs in memory, once per distinct address.
"""

import re
from collections import defaultdict
from typing import NamedTuple

import pandas as pd

from etl.address import AddressNormalizer
from etl.similarity import Block, distance_m, rank

EXACT, FUZZY, UNIT_CENTROID, GIVEN = "exact", "fuzzy", "unit_centroid", "given"
_TRUNCATIONS = [re.compile(p) for p in (r"\d+室$", r"\d+层$", r"\d+单元$", r"\d+幢$")]
_NUMBERS = re.compile(r"\d+")
_TRUNCATED_FACTOR = 0.95  # a door plate found for a room address: right place, less specific
_AMBIGUOUS_POINTS = 3.0  # runner-up within this many similarity points …
_AMBIGUOUS_METRES = 30.0  # … and farther than this from the best: refuse to choose

_ADDRESSES_SQL = """
SELECT a.normalized, a.unit_id, ST_X(a.geom) AS lon, ST_Y(a.geom) AS lat FROM addresses a
"""
_UNITS_SQL = """
SELECT id, name, kind, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat
FROM units
"""


class Match(NamedTuple):
    lon: float | None
    lat: float | None
    method: str | None
    confidence: float
    needs_review: bool
    matched: str | None  # the standard address used
    unit_id: int | None


def variants(normalized: str) -> list[str]:
    """The address and its shorter forms, dropping room → floor → entrance → building."""
    forms = [normalized]
    s = normalized
    for pattern in _TRUNCATIONS:
        cut = pattern.sub("", s)
        if cut != s and re.search(r"\d+(号|幢|组)$", cut):
            forms.append(cut)
            s = cut
    return forms


class Geocoder:
    """Matches addresses to the standard-address points of one database snapshot."""

    def __init__(
        self,
        normalizer: AddressNormalizer,
        addresses: pd.DataFrame,
        units: pd.DataFrame,
        min_confidence: float,
    ) -> None:
        self.normalizer = normalizer
        self.min_confidence = min_confidence
        self.units = {int(r.id): r for r in units.itertuples(index=False)}
        self.unit_by_name = {r.name: int(r.id) for r in units.itertuples(index=False)}
        ids = [None if pd.isna(u) else int(u) for u in addresses["unit_id"]]
        norms = addresses["normalized"].tolist()
        lons = addresses["lon"].astype(float).tolist()
        lats = addresses["lat"].astype(float).tolist()
        self.exact: dict[str, tuple[int | None, float, float]] = dict(
            zip(norms, zip(ids, lons, lats, strict=True), strict=True)
        )
        self._reference = (norms, ids, lons, lats)
        self._blocks: dict[tuple, Block] = {}
        self._built: set[int | None] = set()
        self._by_unit: dict[int, list[int]] | None = None
        self._cache: dict[tuple[str, int | None], Match] = {}

    def _members(self, unit_id: int) -> list[int]:
        if self._by_unit is None:
            self._by_unit = defaultdict(list)
            for i, uid in enumerate(self._reference[1]):
                if uid is not None:
                    self._by_unit[uid].append(i)
        return self._by_unit.get(unit_id, [])

    @classmethod
    def from_db(cls, conn, normalizer: AddressNormalizer, min_confidence: float) -> "Geocoder":
        """Load the reference points and unit centres with one query each."""
        with conn.cursor() as cur:
            cur.execute(_ADDRESSES_SQL)
            addresses = pd.DataFrame(
                cur.fetchall(), columns=["normalized", "unit_id", "lon", "lat"]
            )
            cur.execute(_UNITS_SQL)
            units = pd.DataFrame(cur.fetchall(), columns=["id", "name", "kind", "lon", "lat"])
        return cls(normalizer, addresses, units, min_confidence)

    def _block(self, unit_id: int | None, numbers: tuple[str, ...]) -> Block | None:
        """Candidates with this unit (None: the whole town) and these numbers.

        Blocks are built per unit on first need: a clean file never pays for them.
        """
        if unit_id not in self._built:
            norms, _, lons, lats = self._reference
            members = range(len(norms)) if unit_id is None else self._members(unit_id)
            name = self.units[unit_id].name if unit_id in self.units else None
            for i in members:
                norm = norms[i]
                key = (unit_id, tuple(_NUMBERS.findall(norm)))
                block = self._blocks.get(key)
                if block is None:
                    block = self._blocks[key] = Block()
                rest = norm[len(name) :] if name and norm.startswith(name) else None
                block.add(norm, rest or self._strip_unit(norm), lons[i], lats[i])
            self._built.add(unit_id)
        return self._blocks.get((unit_id, numbers)) or None

    def _strip_unit(self, norm: str) -> str:
        lead = self.normalizer.leading_unit(norm)
        return norm[len(lead) :] if lead else norm

    def geocode(self, addresses: list[str | None], unit_ids: list[int | None]) -> pd.DataFrame:
        """One `Match` per input row, as a DataFrame (lon, lat, method, confidence, …)."""
        out = []
        for address, unit_id in zip(addresses, unit_ids, strict=True):
            uid = None if unit_id is None or pd.isna(unit_id) else int(unit_id)
            key = (address or "", uid)
            match = self._cache.get(key)
            if match is None:
                match = self._cache[key] = self._one(address or "", uid)
            out.append(match)
        return pd.DataFrame.from_records(out, columns=list(Match._fields))

    def _readings(self, norm: str, unit_id: int | None) -> list[tuple[str, int | None]]:
        """The ways to read `norm` as a full address: (text with unit, unit id)."""
        lead = self.normalizer.leading_unit(norm)
        if lead is not None:
            lead_id = self.unit_by_name.get(lead)
            # An address naming another village than 所属单位: one of them is wrong.
            return [] if unit_id is not None and lead_id != unit_id else [(norm, lead_id)]
        readings = []
        if unit_id is not None and unit_id in self.units:
            readings.append((self.units[unit_id].name + norm, unit_id))  # village left out
        stem = self.normalizer.bare_stem(norm)
        if stem is not None:
            stem_id = self.unit_by_name.get(stem[0])
            if unit_id is None or stem_id == unit_id:
                readings.append((stem[0] + stem[1], stem_id))
        if unit_id is None:
            readings.append((norm, None))
        return readings

    def _one(self, address: str, unit_id: int | None) -> Match:
        norm = self.normalizer(address)
        readings = self._readings(norm, unit_id) if norm else []
        # Anchored (the unit is known, from 所属单位 or the address): an exact hit is final.
        anchored = unit_id is not None or self.normalizer.leading_unit(norm) is not None
        if anchored:  # the common case, a clean address: one dictionary lookup
            for text, uid in readings:
                hit = self.exact.get(text)
                if hit and (uid is None or hit[0] in (None, uid)):
                    return Match(hit[1], hit[2], EXACT, 1.0, False, text, uid or hit[0])
        pool: list[tuple[float, str, float, float, int | None, str]] = []
        for text, uid in readings:
            for i, form in enumerate(variants(text)):
                factor = 1.0 if i == 0 else _TRUNCATED_FACTOR
                hit = self.exact.get(form)
                if hit and (uid is None or hit[0] in (None, uid)):
                    if anchored:
                        return Match(hit[1], hit[2], EXACT, factor, False, form, uid or hit[0])
                    pool.append((100.0 * factor, form, hit[1], hit[2], uid or hit[0], EXACT))
                for score, matched, lon, lat in self._fuzzy(form, uid):
                    pool.append((score * factor, matched, lon, lat, uid, FUZZY))
        if not pool:
            return self._fallback(unit_id)
        pool.sort(key=lambda c: c[0], reverse=True)
        best = pool[0]
        # Refuse to choose when another reading or candidate fits as well somewhere else.
        for other in pool[1:]:
            if best[0] - other[0] >= _AMBIGUOUS_POINTS:
                break
            if distance_m(best[2], best[3], other[2], other[3]) > _AMBIGUOUS_METRES:
                return self._fallback(unit_id)
        if best[0] / 100.0 < self.min_confidence:
            return self._fallback(unit_id)
        score, matched, lon, lat, uid, method = best
        return Match(lon, lat, method, round(score / 100.0, 4), False, matched, uid)

    def _fuzzy(self, form: str, unit_id: int | None) -> list[tuple[float, str, float, float]]:
        """The closest standard addresses with the same unit and numbers: (score, text, x, y)."""
        block = self._block(unit_id, tuple(_NUMBERS.findall(form)))
        if not block:
            return []
        return [
            (score, block.texts[i], block.lon[i], block.lat[i])
            for i, score in rank(form, self._strip_unit(form), block)
        ]

    def _fallback(self, unit_id: int | None) -> Match:
        unit = self.units.get(unit_id) if unit_id is not None else None
        if unit is None or pd.isna(unit.lon):
            return Match(None, None, None, 0.0, True, None, unit_id)
        return Match(float(unit.lon), float(unit.lat), UNIT_CENTROID, 0.0, True, None, unit_id)
