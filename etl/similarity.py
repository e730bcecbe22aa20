"""How alike two normalised addresses are: by characters and by sound.

Most address typos typed with a pinyin input method are homophones (同音字: 戴溪忠路 for
戴溪中路). Comparing the syllables as well as the characters lets such a typo match its road
and not the neighbouring 戴溪东路, which differs by as many characters. Scores are rapidfuzz's
normalised Indel similarity (0–100); a syllable match counts slightly less than a character
match.
"""

from dataclasses import dataclass, field
from functools import cache

import numpy as np
from pypinyin import lazy_pinyin
from rapidfuzz import fuzz, process

SOUND_WEIGHT = 0.97  # a homophone is very likely, but not certainly, the same word


@cache
def _syllable(ch: str) -> str:
    return lazy_pinyin(ch)[0] if "\u4e00" <= ch <= "\u9fff" else ch


def syllables(text: str) -> tuple[str, ...]:
    """戴溪中路12号 → ('dai', 'xi', 'zhong', 'lu', '1', '2', 'hao'), one token per character."""
    return tuple(_syllable(ch) for ch in text)


@dataclass
class Block:
    """Standard addresses that share a unit and the same numbers: the fuzzy candidates."""

    texts: list[str] = field(default_factory=list)  # normalised address
    rests: list[str] = field(default_factory=list)  # … without its unit name
    lon: list[float] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    uid: list[int | None] = field(default_factory=list)  # its unit
    _sounds: tuple[list, list] | None = None
    places: list[str] | None = None  # the place of each text, parsed when first needed

    def add(self, text: str, rest: str, lon: float, lat: float, uid: int | None = None) -> None:
        self.texts.append(text)
        self.rests.append(rest)
        self.lon.append(lon)
        self.lat.append(lat)
        self.uid.append(uid)

    def sounds(self) -> tuple[list, list]:
        if self._sounds is None:  # computed for the blocks a query needs, once
            self._sounds = ([syllables(t) for t in self.texts], [syllables(t) for t in self.rests])
        return self._sounds


def rank(query: str, query_rest: str, block: Block, limit: int = 3) -> list[tuple[int, float]]:
    """Candidates of `block` as (index, score 0–100), best first.

    A candidate's score is the best of: whole address and address without unit, each by
    characters and (weighted) by syllables.
    """
    sound_texts, sound_rests = block.sounds()
    scores: dict[int, float] = {}
    for q, choices, weight in (
        (query, block.texts, 1.0),
        (query_rest, block.rests, 1.0),
        (syllables(query), sound_texts, SOUND_WEIGHT),
        (syllables(query_rest), sound_rests, SOUND_WEIGHT),
    ):
        for _, score, idx in process.extract(q, choices, scorer=fuzz.ratio, limit=limit):
            scores[idx] = max(scores.get(idx, 0.0), score * weight)
    return sorted(scores.items(), key=lambda kv: kv[1], reverse=True)


def closest(name: str, names: list[str], margin: float) -> list[str]:
    """The `names` most like `name` — by characters, or by sound (weighted) — with every one
    scoring within `margin` points of the best (ties kept: the caller decides)."""
    by_chars = process.extract(name, names, scorer=fuzz.ratio, limit=None)
    sounds = [syllables(n) for n in names]
    by_sound = process.extract(syllables(name), sounds, scorer=fuzz.ratio, limit=None)
    best: dict[int, float] = {}
    for _, score, i in by_chars:
        best[i] = max(best.get(i, 0.0), score)
    for _, score, i in by_sound:
        best[i] = max(best.get(i, 0.0), score * SOUND_WEIGHT)
    top = max(best.values(), default=0.0)
    return [names[i] for i, score in best.items() if score > 0 and score >= top - margin]


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Metres between two nearby points (equirectangular approximation)."""
    lat = np.radians((lat1 + lat2) / 2)
    dx = np.radians(lon1 - lon2) * np.cos(lat)
    dy = np.radians(lat1 - lat2)
    return float(6371008.8 * np.hypot(dx, dy))
