"""Normalising Chinese addresses so that the ways people write one door plate compare equal.

`AddressNormalizer` turns `江苏省常州市武进区洛阳镇戴溪村委会人民路十二号` and
`戴溪社区人民路１２号` into the same key `戴溪社区人民路12号`: full width → half width, Chinese
numerals before 号/幢/单元/室/组… → digits, 栋/座/号楼 → 幢, 村民小组 → 组, the province–city–
district–town levels dropped, and a village written as X村 / X村委 / X社区 / an alias mapped to
its unit name. The standard-address layer and the rows to geocode go through the same
normaliser, and an address already in its canonical form is left unchanged (idempotent).
"""

import re
import unicodedata
from collections.abc import Iterable

from etl.config import TownConfig

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_POWERS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL = "〇零一二两三四五六七八九十百千"
# Markers of address parts that carry a number; a Chinese numeral before one is a number.
_MARKERS = "号楼|号|幢|栋|座|单元|室|组|层|户"
_PUNCT = re.compile(r"[\s,，。.、;；:：'\"“”‘’()（）\[\]【】{}<>《》#＃]+")
_DASHES = re.compile(r"[－—–‐‑~～]")
_CN_NUMBER = re.compile(rf"第?([{_NUMERAL}]+)(?={_MARKERS}|$)")
_LEADING_ZEROS = re.compile(rf"(?<!\d)0+(\d+)(?={_MARKERS})")
_ORDINAL = re.compile(rf"第(\d+)(?={_MARKERS})")
_WORD_SYNONYMS = [(re.compile(r"村民小组|小组"), "组")]
_SYNONYMS = [
    (re.compile(r"(\d+)号楼"), r"\1幢"),
    (re.compile(r"(\d+)[栋座]"), r"\1幢"),
]
_TRAILING_QUALIFIERS = re.compile(r"(附近|旁边|对面|周边)$")
_QUALIFIER_TAIL = re.compile(r"[近边面]$")
_ANY_NUMERAL = re.compile(f"[{_NUMERAL}]")
_ROOM_TAIL = re.compile(r"单元\d+$")
_UNIT_SUFFIXES = (
    "村民委员会",
    "居民委员会",
    "社区居委会",
    "村委会",
    "居委会",
    "村委",
    "社区",
    "村",
)
_SUFFIX_RE = re.compile("(" + "|".join(_UNIT_SUFFIXES) + ")$")


def chinese_numeral_to_int(text: str) -> int:
    """十二 → 12, 二十 → 20, 一百零三 → 103, 一二三 → 123 (digit by digit without 十/百/千).

    >>> [chinese_numeral_to_int(t) for t in ["十二", "二十", "一百零三", "一二三", "两千"]]
    [12, 20, 103, 123, 2000]
    """
    if not any(ch in _POWERS for ch in text):
        return int("".join(str(_DIGITS[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        else:
            total += (current or 1) * _POWERS[ch]
            current = 0
    return total + current


def unit_stem(name: str) -> str:
    """The distinctive part of a unit name: 戴溪社区 → 戴溪, 岑村村 → 岑村, 东尖村 → 东尖."""
    return _SUFFIX_RE.sub("", name) or name


class AddressNormalizer:
    """Normalises addresses of one town; `unit_names` are the villages and communities."""

    def __init__(self, town: TownConfig, unit_names: Iterable[str] = ()) -> None:
        self.town = town
        self.unit_names = sorted(set(unit_names), key=len, reverse=True)
        levels = [
            "(?:" + "|".join(re.escape(v) for v in sorted(level, key=len, reverse=True)) + ")?"
            for level in town.admin_levels
        ]
        self._prefix = re.compile("^" + "".join(levels)) if levels else None
        # Written forms that name a unit unambiguously (X村, X社区, X村委会, configured aliases).
        self._aliases = self._alias_map(town)
        self._alias_re = self._prefix_re(self._aliases)
        self._names_re = self._prefix_re({n: n for n in self.unit_names})
        # A bare stem (岑村, 湖滨) may also begin a road name (湖滨中路): never rewritten into
        # an address, only offered to the geocoder as one reading, and accepted in 所属单位.
        self._stems = self._stem_map(town)
        self._stem_re = self._prefix_re(self._stems)
        self._cache: dict[str, str] = {}

    @staticmethod
    def _prefix_re(forms: dict[str, str]) -> re.Pattern | None:
        if not forms:
            return None
        return re.compile("^(" + "|".join(re.escape(a) for a in forms) + ")")

    def _alias_map(self, town: TownConfig) -> dict[str, str]:
        """Every unambiguous written form of a unit → its name (longest first)."""
        aliases: dict[str, str] = {}
        for name in self.unit_names:
            stem = unit_stem(name)
            for suffix in _UNIT_SUFFIXES:
                aliases[stem + suffix] = name
        for alias, name in town.aliases.items():
            aliases[alias] = name
        for name in self.unit_names:
            aliases[name] = name
        return dict(sorted(aliases.items(), key=lambda kv: len(kv[0]), reverse=True))

    def _stem_map(self, town: TownConfig) -> dict[str, str]:
        town_bare = town.name.removesuffix("镇")
        stems = {
            unit_stem(name): name
            for name in self.unit_names
            if len(unit_stem(name)) >= 2 and unit_stem(name) != town_bare
        }
        return dict(sorted(stems.items(), key=lambda kv: len(kv[0]), reverse=True))

    def __call__(self, address: str | None) -> str:
        """The normalised key of `address` ('' for an empty address)."""
        if address is None:
            return ""
        cached = self._cache.get(address)
        if cached is None:
            cached = self._normalize(address)
            if len(self._cache) < 500_000:
                self._cache[address] = cached
        return cached

    def _normalize(self, address: str) -> str:
        s = unicodedata.normalize("NFKC", str(address))
        s = _DASHES.sub("-", _PUNCT.sub("", s))
        # Each rewrite runs only when its trigger is present (most addresses need none).
        if _QUALIFIER_TAIL.search(s):
            s = _TRAILING_QUALIFIERS.sub("", s)
        if "组" in s:
            for pattern, repl in _WORD_SYNONYMS:
                s = pattern.sub(repl, s)
        if _ANY_NUMERAL.search(s):
            s = _CN_NUMBER.sub(lambda m: str(chinese_numeral_to_int(m.group(1))), s)
        if "第" in s:
            s = _ORDINAL.sub(r"\1", s)
        if "0" in s:
            s = _LEADING_ZEROS.sub(r"\1", s)
        if "楼" in s or "栋" in s or "座" in s:
            for pattern, repl in _SYNONYMS:
                s = pattern.sub(repl, s)
        if self._prefix is not None:
            s = self._prefix.sub("", s, count=1)
        s = self.canonical_unit_prefix(s)
        # A bare trailing number is a door number (after 单元, a room number).
        if s[-1:].isdigit():
            s += "室" if _ROOM_TAIL.search(s) else "号"
        return s

    def canonical_unit_prefix(self, s: str) -> str:
        """Replace a leading alias of a unit (戴溪村委…) by the unit's name (戴溪社区…)."""
        if self._alias_re is None:
            return s
        m = self._alias_re.match(s)
        if not m:
            return s
        return self._aliases[m.group(1)] + s[m.end() :]

    def leading_unit(self, normalized: str) -> str | None:
        """The unit name a normalised address starts with, if any (the longest)."""
        m = self._names_re.match(normalized) if self._names_re else None
        return m.group(1) if m else None

    def bare_stem(self, normalized: str) -> tuple[str, str] | None:
        """(unit name, rest) when the address starts with a unit's bare stem (岑村3组5号)."""
        m = self._stem_re.match(normalized) if self._stem_re else None
        return (self._stems[m.group(1)], normalized[m.end() :]) if m else None

    def resolve_unit(self, written: str | None) -> str | None:
        """The unit name a user wrote in 所属单位 (exact, X村/X社区/X村委 forms, the bare
        stem, or a configured alias); None when it names no unit."""
        if written is None:
            return None
        s = _PUNCT.sub("", unicodedata.normalize("NFKC", str(written)))
        if self._prefix is not None:
            s = self._prefix.sub("", s, count=1)
        name = self._aliases.get(s) or self._stems.get(s)
        return name if name in self.unit_names else None
