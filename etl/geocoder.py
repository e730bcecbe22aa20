"""Offline geocoding of Chinese addresses against the standard-address layer (标准地址/门牌).

An address is first parsed (`etl.address`): levels, village, place (road, natural village,
group, estate), door number with its sub-number, and the detail and remark after it. The
**door** is what is matched; for each distinct (address, unit) the geocoder tries, in order:

1. **exact** – the address with its detail (a layer may hold building-level points), then the
   door itself, then, for a sub-number (12号之一), its main door (the 附号 stands beside it).
   A door found for an address that says more (a room, 东侧, a sub-number) is the right place
   but less specific: confidence 0.95;
2. **fuzzy** – only for a place that is not a known road (a typo: 戴溪忠路): among the standard
   addresses of the same unit carrying *the same numbers* (a wrong house number is a wrong
   place, so numbers are never fuzzy), the most similar by characters or by sound
   (`etl.similarity`), on a road that is among the closest to the written one — so 戴溪忠路68号
   is never placed on 戴溪大街68号 when 戴溪中路 has no 68; refused when the runner-up is as
   good and lies elsewhere (ambiguous). A known road whose number does not exist is flagged,
   never moved to another road;
3. **unit_centroid** – below `min_confidence` the row is *not* placed on a guess: it goes to a
   point inside its unit (`ST_PointOnSurface`) with `needs_review`, shown as low precision.

An address without its village is read with the row's unit (所属单位) when known; one that
starts with a village's bare stem (岑村3组5号, but also 湖滨中路… where 湖滨 begins a road) is
read both ways; without either, a known road is looked up in every unit (and refused when
several have that door). An address naming another village than the row's unit is not placed.

Matching runs in memory, once per distinct address. The reference rows come from
`etl.geocode_reference`: on a connection, only those a batch needs (its exact forms, then
the candidate blocks of the rows not placed exactly: two indexed queries per batch), never the
whole layer; or from a snapshot of the whole layer (`Geocoder.from_db`, small towns and tests).
Known roads are the names of the roads layer.
"""

from collections.abc import Iterable
from typing import NamedTuple

import pandas as pd

from etl.address import AddressNormalizer, AddressParts
from etl.geocode_reference import BlockKey, DbReference, MemoryReference, numbers_key
from etl.similarity import Block, closest, distance_m, rank

EXACT, FUZZY, UNIT_CENTROID, GIVEN = "exact", "fuzzy", "unit_centroid", "given"
_LESS_SPECIFIC = 0.95  # the door found for an address that says more: right place, less exact
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
# Known roads, with the units they run through (PostGIS; NULL: no unit boundary crossed).
_ROADS_SQL = """
SELECT DISTINCT r.name, u.id FROM roads r
LEFT JOIN units u ON u.geom IS NOT NULL AND ST_Intersects(u.geom, r.geom)
WHERE r.name IS NOT NULL AND r.name <> ''
"""


class Match(NamedTuple):
    lon: float | None
    lat: float | None
    method: str | None
    confidence: float
    needs_review: bool
    matched: str | None  # the standard address used
    unit_id: int | None


class Reading(NamedTuple):
    """One way to read an address as a door of the layer."""

    forms: list[tuple[str, float]]  # (normalised text, confidence if found), most specific first
    uid: int | None  # the unit it is read in (None: the whole town)
    place: str  # the road / place as written, without the unit
    number: str  # the door number as written (12号, 12-1号)


class Plan(NamedTuple):
    """How one input address is read: its normal form, readings, and whether its unit is known."""

    norm: str
    readings: list[Reading]
    anchored: bool


def _forms(unit: str, parts: AddressParts) -> list[tuple[str, float]]:
    door = unit + parts.place + parts.number
    exactness = 1.0 if not (parts.detail or parts.remark) else _LESS_SPECIFIC
    forms = [(door + parts.detail, 1.0)] if parts.detail else []
    forms.append((door, exactness))
    if "-" in parts.number:  # 12-1号 → 12号
        forms.append((unit + parts.place + parts.number.split("-", 1)[0] + "号", _LESS_SPECIFIC))
    return forms


class Geocoder:
    """Matches addresses to the standard-address points of a reference (see module doc)."""

    def __init__(
        self,
        normalizer: AddressNormalizer,
        reference: DbReference | MemoryReference,
        units: pd.DataFrame,
        min_confidence: float,
        roads: Iterable[tuple[str, int | None]] = (),
    ) -> None:
        self.normalizer = normalizer
        self.min_confidence = min_confidence
        self.reference = reference
        self.units = {int(r.id): r for r in units.itertuples(index=False)}
        self.unit_by_name = {r.name: int(r.id) for r in units.itertuples(index=False)}
        # Known roads: town-wide, and per unit they run through (what a village's staff mean).
        self._unit_roads: dict[int | None, list[str]] = {}
        for name, uid in roads:
            if uid is not None:
                self._unit_roads.setdefault(uid, []).append(name)
        self.roads = sorted({name for name, _ in roads if name})
        self._road_set = frozenset(self.roads)
        # normalised text → (unit id, lon, lat), or None when no standard address has it
        self._exact: dict[str, tuple[int | None, float, float] | None] = {}
        self._blocks: dict[BlockKey, Block | None] = {}
        self._closest: dict[tuple, frozenset[str]] = {}
        self._cache: dict[tuple[str, int | None], Match] = {}

    @staticmethod
    def _units(conn) -> pd.DataFrame:
        with conn.cursor() as cur:
            cur.execute(_UNITS_SQL)
            return pd.DataFrame(cur.fetchall(), columns=["id", "name", "kind", "lon", "lat"])

    @staticmethod
    def _roads(conn) -> list[tuple[str, int | None]]:
        with conn.cursor() as cur:
            cur.execute(_ROADS_SQL)
            return cur.fetchall()

    @classmethod
    def on_connection(
        cls, conn, normalizer: AddressNormalizer, min_confidence: float
    ) -> "Geocoder":
        """A geocoder that reads the standard addresses it needs through `conn` (kept open).

        Each `geocode` batch costs two indexed queries sized by the batch, whatever the size
        of the layer; the rows are read in the caller's transaction.
        """
        return cls(
            normalizer, DbReference(conn), cls._units(conn), min_confidence, cls._roads(conn)
        )

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
        return cls(
            normalizer,
            MemoryReference(addresses),
            cls._units(conn),
            min_confidence,
            cls._roads(conn),
        )

    # -- reading the reference ----------------------------------------------------------------

    def _load_exact(self, texts: Iterable[str]) -> None:
        missing = [t for t in dict.fromkeys(texts) if t not in self._exact]
        if not missing:
            return
        hits = self.reference.exact(missing)
        self._exact.update(dict.fromkeys(missing))
        self._exact.update((text, (row[1], row[2], row[3])) for text, row in hits.items())

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
            for norm, uid, lon, lat in found.get(key, ()):
                block = block or Block()
                rest = norm[len(name) :] if name and norm.startswith(name) else None
                block.add(norm, rest or self._strip_unit(norm), lon, lat, uid)
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

    # -- one batch ----------------------------------------------------------------------------

    def geocode(self, addresses: list[str | None], unit_ids: list[int | None]) -> pd.DataFrame:
        """One `Match` per input row, as a DataFrame (lon, lat, method, confidence, …)."""
        keys = [
            (address or "", None if unit_id is None or pd.isna(unit_id) else int(unit_id))
            for address, unit_id in zip(addresses, unit_ids, strict=True)
        ]
        pending = [k for k in dict.fromkeys(keys) if k not in self._cache]
        plans = {k: self._plan(*k) for k in pending}
        settled = self._prefetch(plans)
        for key, plan in plans.items():
            self._cache[key] = settled.get(key) or self._decide(plan, key[1])
        return pd.DataFrame.from_records(
            [self._cache[k] for k in keys], columns=list(Match._fields)
        )

    def _plan(self, address: str, unit_id: int | None) -> Plan:
        parts = self.normalizer.parse(address)
        readings = self._readings(parts, unit_id) if parts.full else []
        # Anchored (the unit is known, from 所属单位 or the address): an exact hit is final.
        anchored = unit_id is not None or parts.unit is not None
        return Plan(parts.full, readings, anchored)

    def _prefetch(self, plans: dict[tuple[str, int | None], Plan]) -> dict[tuple, Match]:
        """Read what the batch needs in two queries: every exact form, then the candidate
        blocks of the addresses an exact form does not settle. Returns the settled ones."""
        self._load_exact(text for p in plans.values() for r in p.readings for text, _ in r.forms)
        settled, need = {}, []
        for key, p in plans.items():
            if p.anchored and (hit := self._anchored_hit(p.readings)):
                settled[key] = hit
                continue
            for r in p.readings:
                need.extend((r.uid, numbers_key(text)) for text, _ in r.forms)
        self._load_blocks(need)
        return settled

    def _anchored_hit(self, readings: list[Reading]) -> Match | None:
        """The common case, an address with its unit known: dictionary lookups only (every
        form of the batch is loaded by then)."""
        exact = self._exact
        for r in readings:
            for text, exactness in r.forms:
                hit = exact[text] if text in exact else self._lookup(text)
                if hit and (r.uid is None or hit[0] in (None, r.uid)):
                    return Match(hit[1], hit[2], EXACT, exactness, False, text, r.uid or hit[0])
        return None

    def _readings(self, parts: AddressParts, unit_id: int | None) -> list[Reading]:
        """The ways to read the address as a door of the layer."""
        if parts.unit is not None:
            lead_id = self.unit_by_name.get(parts.unit)
            # An address naming another village than 所属单位: one of them is wrong.
            if unit_id is not None and lead_id != unit_id:
                return []
            return [Reading(_forms(parts.unit, parts), lead_id, parts.place, parts.number)]
        readings = []
        if unit_id is not None and unit_id in self.units:  # village left out
            name = self.units[unit_id].name
            readings.append(Reading(_forms(name, parts), unit_id, parts.place, parts.number))
        stem = self.normalizer.bare_stem(parts.place)
        if stem is not None:
            stem_id = self.unit_by_name.get(stem[0])
            if unit_id is None or stem_id == unit_id:
                read = parts._replace(place=stem[1])
                readings.append(Reading(_forms(stem[0], read), stem_id, stem[1], parts.number))
        if unit_id is None:
            readings.append(Reading(_forms("", parts), None, parts.place, parts.number))
        return readings

    def _decide(self, plan: Plan, unit_id: int | None) -> Match:
        """An address no exact form settled (`_prefetch` took those): every reading's exact
        hits and fuzzy candidates, the best unless ambiguous."""
        readings = plan.readings
        pool: list[tuple[float, str, float, float, int | None, str]] = []
        for r in readings:
            for text, exactness in r.forms:
                hit = self._lookup(text)
                if hit and (r.uid is None or hit[0] in (None, r.uid)):
                    pool.append((100.0 * exactness, text, hit[1], hit[2], r.uid or hit[0], EXACT))
                pool.extend(self._candidates(r, text, exactness))
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

    def _candidates(self, r: Reading, text: str, exactness: float) -> list[tuple]:
        """Standard addresses that may be the door of `text` read as `r`: (score, text, lon,
        lat, unit id, method)."""
        block = self._block(r.uid, numbers_key(text))
        if not block:
            return []
        if r.place in self._road_set:
            # A road that exists: its door exists or not, never another road's. Without a
            # unit, the same road and number in any unit (several: ambiguous, refused).
            if r.uid is not None:
                return []
            door = text[len(r.place) :] if text.startswith(r.place) else None
            return [
                (100.0 * exactness, block.texts[i], block.lon[i], block.lat[i], block.uid[i], EXACT)
                for i in range(len(block.texts))
                if door and block.rests[i] == r.place + door
            ]
        places = self._places(block)
        near = self._closest_roads(r.place, r.uid, frozenset(places) & self._road_set)
        out = []
        for i, score in rank(text, self._strip_unit(text), block):
            if near and places[i] in self._road_set and places[i] not in near:
                continue  # the written road is closer to another road, without this door
            out.append(
                (score * exactness, block.texts[i], block.lon[i], block.lat[i], r.uid, FUZZY)
            )
        return out

    def _places(self, block: Block) -> list[str]:
        """The place (road…) of each candidate, to compare with the known roads: parsed once
        per block, and not at all in a town without a roads layer (nothing to compare)."""
        if not self._road_set:
            return [""] * len(block.texts)
        if block.places is None:
            block.places = [self.normalizer.parse(t).place for t in block.texts]
        return block.places

    def _closest_roads(
        self, place: str, unit_id: int | None, with_door: frozenset[str]
    ) -> frozenset[str]:
        """The known roads most like `place` (by characters or sound), ties kept: among the
        unit's roads when it is known (staff mean their own: those crossing its area and
        those its doors `with_door` lie on), else the town's."""
        if not place or not self.roads:
            return frozenset()
        key = (place, unit_id, with_door)
        if key not in self._closest:
            own = self._unit_roads.get(unit_id, []) if unit_id is not None else self.roads
            roads = sorted({*own, *with_door}) or self.roads
            self._closest[key] = frozenset(closest(place, roads, _AMBIGUOUS_POINTS))
        return self._closest[key]

    def _fallback(self, unit_id: int | None) -> Match:
        unit = self.units.get(unit_id) if unit_id is not None else None
        if unit is None or pd.isna(unit.lon):
            return Match(None, None, None, 0.0, True, None, unit_id)
        return Match(float(unit.lon), float(unit.lat), UNIT_CENTROID, 0.0, True, None, unit_id)
