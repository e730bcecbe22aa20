"""Offline geocoding of Chinese addresses against the standard-address layer (标准地址/门牌).

For each distinct (address, unit) the geocoder tries, in order:

1. **exact** – the normalised address (prefixed with its unit when the village is missing)
   equals a standard address; then the same with the room / floor / entrance / building parts
   cut off the end (`…12号3幢201室` → `…12号`), since door plates stop at the number;
2. **fuzzy** – among the standard addresses of the same unit that carry *the same numbers*
   (a wrong house number is a wrong place, so numbers are never fuzzy), the most similar text
   (rapidfuzz, normalised Indel similarity); refused when the runner-up is as good and lies
   elsewhere (ambiguous);
3. **unit_centroid** – below `min_confidence` the row is *not* placed on a guess: it goes to a
   point inside its unit (`ST_PointOnSurface`) with `needs_review`, shown as low precision.

The reference layer is read in one query; matching runs in memory, once per distinct address.
"""

import re
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd
from rapidfuzz import fuzz, process

from etl.address import AddressNormalizer
from geo_service.crs import haversine_m

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


@dataclass(frozen=True)
class Match:
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
        self.exact: dict[str, tuple[int | None, float, float]] = {}
        # (unit id or None for the whole town, numbers) → [(text, text without unit, lon, lat)]
        self.blocks: dict[tuple, list[tuple[str, str, float, float]]] = defaultdict(list)
        for norm, unit_id, lon, lat in addresses.itertuples(index=False):
            uid = None if pd.isna(unit_id) else int(unit_id)
            self.exact[norm] = (uid, float(lon), float(lat))
            entry = (norm, self._strip_unit(norm), float(lon), float(lat))
            sig = tuple(_NUMBERS.findall(norm))
            self.blocks[(uid, sig)].append(entry)
            self.blocks[(None, sig)].append(entry)
        self._cache: dict[tuple[str, int | None], Match] = {}

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
        return pd.DataFrame(out, columns=list(Match.__dataclass_fields__))

    def _one(self, address: str, unit_id: int | None) -> Match:
        norm = self.normalizer(address)
        lead = self.normalizer.leading_unit(norm)
        if unit_id is None and lead is not None:
            unit_id = self.unit_by_name.get(lead)
        elif unit_id is not None and lead is None and unit_id in self.units:
            norm = self.units[unit_id].name + norm  # the village level was left out
        elif unit_id is not None and lead is not None and self.unit_by_name.get(lead) != unit_id:
            return self._fallback(unit_id)  # the address names another village than 所属单位
        if not norm:
            return self._fallback(unit_id)
        forms = variants(norm)
        for i, form in enumerate(forms):
            hit = self.exact.get(form)
            if hit and (unit_id is None or hit[0] in (None, unit_id)):
                confidence = 1.0 if i == 0 else _TRUNCATED_FACTOR
                return Match(hit[1], hit[2], EXACT, confidence, False, form, unit_id or hit[0])
        for i, form in enumerate(forms):
            found = self._fuzzy(form, unit_id)
            if found is not None:
                score, (text, _, lon, lat) = found
                confidence = round(score * (1.0 if i == 0 else _TRUNCATED_FACTOR), 4)
                if confidence >= self.min_confidence:
                    return Match(lon, lat, FUZZY, confidence, False, text, unit_id)
        return self._fallback(unit_id)

    def _fuzzy(self, form: str, unit_id: int | None) -> tuple[float, tuple] | None:
        block = self.blocks.get((unit_id, tuple(_NUMBERS.findall(form))))
        if not block:
            return None
        rest = self._strip_unit(form)
        full = process.extract(form, [b[0] for b in block], scorer=fuzz.ratio, limit=2)
        part = process.extract(rest, [b[1] for b in block], scorer=fuzz.ratio, limit=2)
        scores: dict[int, float] = {}
        for _, score, idx in (*full, *part):
            scores[idx] = max(scores.get(idx, 0.0), score)
        ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
        best_idx, best = ranked[0]
        if len(ranked) > 1:
            second_idx, second = ranked[1]
            b, s = block[best_idx], block[second_idx]
            far = haversine_m(b[2], b[3], s[2], s[3]) > _AMBIGUOUS_METRES
            if best - second < _AMBIGUOUS_POINTS and far:
                return None
        return best / 100.0, block[best_idx]

    def _fallback(self, unit_id: int | None) -> Match:
        unit = self.units.get(unit_id) if unit_id is not None else None
        if unit is None or pd.isna(unit.lon):
            return Match(None, None, None, 0.0, True, None, unit_id)
        return Match(float(unit.lon), float(unit.lat), UNIT_CENTROID, 0.0, True, None, unit_id)
