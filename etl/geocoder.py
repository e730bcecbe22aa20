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

Matching runs in memory, once per distinct address. The reference rows come from
`etl.geocode_reference`: on a connection, only those a batch needs (its exact forms, then
the candidate blocks of the rows not placed exactly: two indexed queries per batch), never the
whole layer; or from a snapshot of the whole layer (`Geocoder.from_db`, small towns and tests).
"""

import re
from collections.abc import Iterable
from typing import NamedTuple

import pandas as pd

from etl.address import AddressNormalizer
from etl.geocode_reference import BlockKey, DbReference, MemoryReference, numbers_key
from etl.similarity import Block, distance_m, rank

EXACT, FUZZY, UNIT_CENTROID, GIVEN = "exact", "fuzzy", "unit_centroid", "given"
_TRUNCATIONS = [re.compile(p) for p in (r"\d+室$", r"\d+层$", r"\d+单元$", r"\d+幢$")]
_TRUNCATED_FACTOR = 0.95  # a door plate found for a room address: right place, less specific
_AMBIGUOUS_POINTS = 3.0  # runner-up within this many similarity points …
_AMBIGUOUS_METRES = 30.0  # … and farther than this from the best: refuse to choose

_ADDRESSES_SQL = """
SELECT a.normalized, a.unit_id, ST_X(a.geom) AS lon, ST_Y(a.geom) AS lat FROM addresses a
ORDER BY a.id
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


class Plan(NamedTuple):
    """How one input address is read: its normal form, readings, and whether its unit is known."""

    norm: str
    readings: list[tuple[str, int | None]]
    anchored: bool


class Geocoder:
    """Matches addresses to the standard-address points of a reference (see module doc)."""

    def __init__(
        self,
        normalizer: AddressNormalizer,
        reference: DbReference | MemoryReference,
        units: pd.DataFrame,
        min_confidence: float,
    ) -> None:
        self.normalizer = normalizer
        self.min_confidence = min_confidence
        self.reference = reference
        self.units = {int(r.id): r for r in units.itertuples(index=False)}
        self.unit_by_name = {r.name: int(r.id) for r in units.itertuples(index=False)}
        # normalised text → (unit id, lon, lat), or None when no standard address has it
        self._exact: dict[str, tuple[int | None, float, float] | None] = {}
        self._blocks: dict[BlockKey, Block | None] = {}
        self._cache: dict[tuple[str, int | None], Match] = {}

    @staticmethod
    def _units(conn) -> pd.DataFrame:
        with conn.cursor() as cur:
            cur.execute(_UNITS_SQL)
            return pd.DataFrame(cur.fetchall(), columns=["id", "name", "kind", "lon", "lat"])

    @classmethod
    def on_connection(
        cls, conn, normalizer: AddressNormalizer, min_confidence: float
    ) -> "Geocoder":
        """A geocoder that reads the standard addresses it needs through `conn` (kept open).

        Each `geocode` batch costs two indexed queries sized by the batch, whatever the size
        of the layer; the rows are read in the caller's transaction.
        """
        return cls(normalizer, DbReference(conn), cls._units(conn), min_confidence)

    @classmethod
    def from_db(cls, conn, normalizer: AddressNormalizer, min_confidence: float) -> "Geocoder":
        """A geocoder on a snapshot of the whole layer, usable after `conn` is closed.

        Reads every standard address: for a town, not a city (the importer uses
        `on_connection`).
        """
        with conn.cursor() as cur:
            cur.execute(_ADDRESSES_SQL)
            addresses = pd.DataFrame(
                cur.fetchall(), columns=["normalized", "unit_id", "lon", "lat"]
            )
        return cls(normalizer, MemoryReference(addresses), cls._units(conn), min_confidence)

    def _load_exact(self, texts: Iterable[str]) -> None:
        missing = [t for t in dict.fromkeys(texts) if t not in self._exact]
        if not missing:
            return
        hits = self.reference.exact(missing)
        for text in missing:
            row = hits.get(text)
            self._exact[text] = None if row is None else (row[1], row[2], row[3])

    def _lookup(self, text: str) -> tuple[int | None, float, float] | None:
        """The standard address written exactly `text`: (unit id, lon, lat), or None."""
        if text not in self._exact:
            self._load_exact([text])
        return self._exact[text]

    def _load_blocks(self, keys: Iterable[BlockKey]) -> None:
        missing = [k for k in dict.fromkeys(keys) if k not in self._blocks]
        if not missing:
            return
        found = self.reference.candidates(missing)
        for key in missing:
            unit_id = key[0]
            name = self.units[unit_id].name if unit_id in self.units else None
            block = None
            for norm, _, lon, lat in found.get(key, ()):
                block = block or Block()
                rest = norm[len(name) :] if name and norm.startswith(name) else None
                block.add(norm, rest or self._strip_unit(norm), lon, lat)
            self._blocks[key] = block

    def _block(self, unit_id: int | None, numbers: str) -> Block | None:
        """Candidates with this unit (None: the whole town) and these numbers."""
        key = (unit_id, numbers)
        if key not in self._blocks:  # normally fetched beforehand, for the whole batch
            self._load_blocks([key])
        return self._blocks[key]

    def _strip_unit(self, norm: str) -> str:
        lead = self.normalizer.leading_unit(norm)
        return norm[len(lead) :] if lead else norm

    def geocode(self, addresses: list[str | None], unit_ids: list[int | None]) -> pd.DataFrame:
        """One `Match` per input row, as a DataFrame (lon, lat, method, confidence, …)."""
        keys = [
            (address or "", None if unit_id is None or pd.isna(unit_id) else int(unit_id))
            for address, unit_id in zip(addresses, unit_ids, strict=True)
        ]
        pending = [k for k in dict.fromkeys(keys) if k not in self._cache]
        plans = {k: self._plan(*k) for k in pending}
        self._prefetch(list(plans.values()))
        for key, plan in plans.items():
            self._cache[key] = self._decide(plan, key[1])
        return pd.DataFrame.from_records(
            [self._cache[k] for k in keys], columns=list(Match._fields)
        )

    def _plan(self, address: str, unit_id: int | None) -> Plan:
        norm = self.normalizer(address)
        readings = self._readings(norm, unit_id) if norm else []
        # Anchored (the unit is known, from 所属单位 or the address): an exact hit is final.
        anchored = unit_id is not None or self.normalizer.leading_unit(norm) is not None
        return Plan(norm, readings, anchored)

    def _prefetch(self, plans: list[Plan]) -> None:
        """Read what the batch needs in two queries: every exact form, then the candidate
        blocks of the addresses an exact form does not settle."""
        self._load_exact(form for p in plans for text, _ in p.readings for form in variants(text))
        need = []
        for p in plans:
            if p.anchored and self._anchored_hit(p.readings):
                continue
            for text, uid in p.readings:
                need.extend((uid, numbers_key(form)) for form in variants(text))
        self._load_blocks(need)

    def _anchored_hit(self, readings: list[tuple[str, int | None]]) -> Match | None:
        """The common case, a clean address with its unit known: one dictionary lookup."""
        for text, uid in readings:
            hit = self._lookup(text)
            if hit and (uid is None or hit[0] in (None, uid)):
                return Match(hit[1], hit[2], EXACT, 1.0, False, text, uid or hit[0])
        return None

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

    def _decide(self, plan: Plan, unit_id: int | None) -> Match:
        readings, anchored = plan.readings, plan.anchored
        if anchored and (hit := self._anchored_hit(readings)):
            return hit
        pool: list[tuple[float, str, float, float, int | None, str]] = []
        for text, uid in readings:
            for i, form in enumerate(variants(text)):
                factor = 1.0 if i == 0 else _TRUNCATED_FACTOR
                hit = self._lookup(form)
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
        block = self._block(unit_id, numbers_key(form))
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
