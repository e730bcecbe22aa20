"""Reading Chinese addresses as people write them: a parse into parts, and a normal form.

`AddressNormalizer.parse` splits an address into what it says:

    江苏省常州市武进区洛阳镇 戴溪村委会 戴溪中路 12号之一 二楼东侧
    └─ levels (dropped) ─────┘ └ unit ─┘ └ place ┘ └number┘ └ detail / remark ┘

- **levels**: country, province, city, district, town — any of them, complete or not, with or
  without 省/市/区/镇 (`town.toml` lists the forms). A bare town name that also begins a
  village's name (洛阳 / 洛阳社区) is dropped only where it cannot be that village.
- **unit**: the village or community, in any of its forms (X村, X社区, X村委(会), X居委会,
  X村民委员会, X社区居委会, configured aliases), given by its name. A bare stem (岑村) may
  also begin a road, so it is not read here: the geocoder tries both readings.
- **place**: the natural village, group (3组), road or estate.
- **number**: the door (12号), with its sub-number (12号-1, 12-1号, 12号之一, 12号附1 → 12-1号);
  in an estate without 号 the building is the door (阳湖花园3幢).
- **detail**: building, unit, floor, room after the door, written one way: 3幢2单元301室, 2层.
- **remark**: whatever else follows (东侧, 后面平房, 对面, 旁边, 张三家…), kept as written.

The **door** (unit + place + number) is what the geocoder matches; detail and remark never
are. The normal form (`__call__`) is the door plus its detail: the standard-address layer and
the rows to geocode go through it alike, so both compare equal however they were written, a
layer may hold building-level points (12号3幢) beside its doors, and a normal form is left
unchanged (idempotent). Full-width characters, Chinese numerals (十二, 一百零三, 一二三, 廿一,
两), 第, leading zeros, 號 and # for 号, 栋/座/号楼 for 幢, 楼/F for 层 and 村民小组 for 组 are read
on the way.
"""

import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

from etl.config import TownConfig

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_POWERS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL = "〇零一二两三四五六七八九十百千"
# Markers of address parts that carry a number; a Chinese numeral before one is a number.
_MARKERS = "号楼|号|幢|栋|座|单元|室|组|层|楼|户|间|房|之|F"
_PUNCT = re.compile(r"[\s,，。.、;；:：'\"“”‘’()（）\[\]【】{}<>《》#]+")
_DASHES = re.compile(r"[－—–‐‑~～]")
_CN_NUMBER = re.compile(rf"第?([{_NUMERAL}]+)(?={_MARKERS}|$)")
_LEADING_ZEROS = re.compile(rf"(?<!\d)0+(\d+)(?={_MARKERS})")
_ORDINAL = re.compile(rf"第(\d+)(?={_MARKERS})")
_NO = re.compile(r"(?:No|NO|no)\.?\s*(\d+)")
_HASH_BEFORE = re.compile(r"#\s*(\d+)")
_HASH_AFTER = re.compile(r"(\d+)\s*#")
_SPACED_DIGITS = re.compile(r"(\d)\s+(?=\d)")
_SUB_AFTER_HAO = re.compile(r"(\d+)号-(\d{1,2})(?![\d幢栋座单元室层楼房F])")
_SUB_AFTER_HAO_SPACED = re.compile(r"(\d+)号\s*-\s*(\d{1,2})(?=\s|[^\d幢栋座单元室层楼房F]|$)")
_SUB_ZHI = re.compile(rf"(\d+)号?[之附]([{_NUMERAL}]+|\d+)号?")
_LOOSE_DASH = re.compile(r"(?<!\d)-|-(?!\d)")
_WORD_SYNONYMS = [(re.compile(r"村民小组|小组"), "组")]
_SYNONYMS = [
    (re.compile(r"(\d+)号楼(?![上下梯道])"), r"\1幢"),  # not 12号楼上 (upstairs at No. 12)
    (re.compile(r"(\d+|[A-Z])[栋座]"), r"\1幢"),
]
_ANY_NUMERAL = re.compile(f"[{_NUMERAL}廿]")
_ROOM_TAIL = re.compile(r"单元\d+$")
_DOOR = re.compile(r"(\d+(?:-\d+)?)号")
_ESTATE_DOOR = re.compile(r"(\d+|[A-Z])幢")
# Detail after the door, one part at a time from its start (the first thing that is none of
# these begins the remark).
_DETAIL_PARTS = [
    (re.compile(r"(\d+)-(\d+)-(\d+)"), lambda m: f"{m[1]}幢{m[2]}单元{m[3]}室", "room"),
    (re.compile(r"(\d+)-(\d{3,})"), lambda m: f"{m[1]}幢{m[2]}室", "room"),
    (re.compile(r"(\d+|[A-Z])幢"), lambda m: f"{m[1]}幢", "building"),
    (re.compile(r"(\d+)单元"), lambda m: f"{m[1]}单元", "unit"),
    (re.compile(r"(\d+)(?:层|楼|F)"), lambda m: f"{m[1]}层", "floor"),
    (re.compile(r"(\d+)(?:号房|房间|室|房)"), lambda m: f"{m[1]}室", "room"),
    (re.compile(r"(\d+)(?![\d号间])"), lambda m: f"{m[1]}室", "room"),
]
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
# The country: may lead any address, in any town.
_COUNTRY = ("中华人民共和国", "中国")


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


def _numeral(text: str) -> str:
    return text if text.isdigit() else str(chinese_numeral_to_int(text))


def unit_stem(name: str) -> str:
    """The distinctive part of a unit name: 戴溪社区 → 戴溪, 岑村村 → 岑村, 东尖村 → 东尖."""
    return _SUFFIX_RE.sub("", name) or name


class AddressParts(NamedTuple):
    """What an address says (see the module doc); `door` is what is matched."""

    levels: str
    unit: str | None
    place: str
    number: str
    detail: str
    remark: str

    @property
    def door(self) -> str:
        return (self.unit or "") + self.place + self.number

    @property
    def full(self) -> str:
        return self.door + self.detail

    @property
    def main_door(self) -> str | None:
        """The door without its sub-number (12-1号 → 12号), None when it has none."""
        if "-" not in self.number:
            return None
        return (self.unit or "") + self.place + self.number.split("-", 1)[0] + "号"


def _clean(address: str) -> str:
    """One way of writing: half width, digits for numerals, one word per part, no punctuation."""
    s = unicodedata.normalize("NFKC", str(address)).replace("號", "号")
    if "#" in s or "o" in s or "O" in s:
        s = _NO.sub(r"\1号", s)
        s = _HASH_AFTER.sub(r"\1号", _HASH_BEFORE.sub(r"\1号", s))
    s = _DASHES.sub("-", _SPACED_DIGITS.sub(r"\1号", s.strip()))
    if "-" in s:  # 21号-2 三楼: the sub-number, before spaces and numerals run together
        s = _SUB_AFTER_HAO_SPACED.sub(r"\1-\2号", s)
    s = _PUNCT.sub("", s)
    # Each rewrite runs only when its trigger is present (most addresses need none).
    if "组" in s:
        for pattern, repl in _WORD_SYNONYMS:
            s = pattern.sub(repl, s)
    if _ANY_NUMERAL.search(s):
        s = s.replace("廿", "二十")
        s = _CN_NUMBER.sub(lambda m: str(chinese_numeral_to_int(m.group(1))), s)
    if "第" in s:
        s = _ORDINAL.sub(r"\1", s)
    if "0" in s:
        s = _LEADING_ZEROS.sub(r"\1", s)
    if "之" in s or "附" in s:
        s = _SUB_ZHI.sub(lambda m: f"{m[1]}-{_numeral(m[2])}号", s)
    if "-" in s:
        s = _LOOSE_DASH.sub("", _SUB_AFTER_HAO.sub(r"\1-\2号", s))
    if "楼" in s or "栋" in s or "座" in s:
        for pattern, repl in _SYNONYMS:
            s = pattern.sub(repl, s)
    return s


def _detail(tail: str) -> tuple[str, str]:
    """(canonical detail, remark) of what follows the door."""
    parts, pos = [], 0
    while pos < len(tail):
        for pattern, canonical, _ in _DETAIL_PARTS:
            m = pattern.match(tail, pos)
            if m:
                parts.append(canonical(m))
                pos = m.end()
                break
        else:
            break
    return "".join(parts), tail[pos:]


class AddressNormalizer:
    """Parses and normalises addresses of one town; `unit_names` are its villages and
    communities."""

    def __init__(self, town: TownConfig, unit_names: Iterable[str] = ()) -> None:
        self.town = town
        self.unit_names = sorted(set(unit_names), key=len, reverse=True)
        # Written forms that name a unit unambiguously (X村, X社区, X村委会, configured aliases).
        self._aliases = self._alias_map(town)
        self._alias_re = self._prefix_re(self._aliases)
        self._names_re = self._prefix_re({n: n for n in self.unit_names})
        # A bare stem (岑村, 湖滨) may also begin a road name (湖滨中路): never rewritten into
        # an address, only offered to the geocoder as one reading, and accepted in 所属单位.
        self._stems = self._stem_map(town)
        self._stem_re = self._prefix_re(self._stems)
        self._levels = [
            sorted({*level}, key=len, reverse=True) for level in (_COUNTRY, *town.admin_levels)
        ]
        # Level forms that also begin a unit's written form (洛阳 / 洛阳社区): checked in context.
        self._ambiguous = {
            form
            for level in self._levels
            for form in level
            if any(a.startswith(form) and a != form for a in self._aliases)
        }
        self._cache: dict[str, AddressParts] = {}

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
                if suffix.startswith(("村委", "村民", "居委", "社区居")):
                    aliases[name + suffix] = name  # 岑村村村委会, 戴溪社区居委会
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
        """The normal form of `address`: its door and detail ('' for an empty address)."""
        return self.parse(address).full if address is not None else ""

    def parse(self, address: str | None) -> AddressParts:
        """The parts of `address` (see the module doc)."""
        if address is None:
            return AddressParts("", None, "", "", "", "")
        cached = self._cache.get(address)
        if cached is None:
            cached = self._parse(address)
            if len(self._cache) < 500_000:
                self._cache[address] = cached
        return cached

    def _parse(self, address: str) -> AddressParts:
        s = _clean(address)
        levels, s = self._strip_levels(s)
        unit = None
        if self._alias_re is not None and (m := self._alias_re.match(s)):
            unit, s = self._aliases[m.group(1)], s[m.end() :]
        door = _DOOR.search(s)
        # Without 号, a bare trailing number is the door (after 单元, a room number).
        if door is None and s[-1:].isdigit():
            s += "室" if _ROOM_TAIL.search(s) else "号"
            door = _DOOR.search(s)
        door = door or _ESTATE_DOOR.search(s)
        if door is None:
            return AddressParts(levels, unit, s, "", "", "")
        detail, remark = _detail(s[door.end() :].lstrip("-"))
        return AddressParts(levels, unit, s[: door.start()], door.group(0), detail, remark)

    def _strip_levels(self, s: str) -> tuple[str, str]:
        """Drop the administrative levels that lead `s`: (what was dropped, the rest)."""
        start = 0
        for forms in self._levels:
            for form in forms:
                if s.startswith(form, start) and self._may_drop(s, start, form):
                    start += len(form)
                    break
        return s[:start], s[start:]

    def _may_drop(self, s: str, at: int, form: str) -> bool:
        # A form that also begins a unit's name (洛阳 / 洛阳社区) is the unit when the text
        # reads as that unit, and the level only when a unit or nothing unit-like follows.
        if form not in self._ambiguous:
            return True
        rest, whole = s[at + len(form) :], s[at:]
        if self._alias_re is not None and self._alias_re.match(rest):
            return True
        if self._alias_re is not None and self._alias_re.match(whole):
            return False
        return at > 0  # after another level (江苏常州武进洛阳…) it is the town

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
        _, s = self._strip_levels(s)
        name = self._aliases.get(s) or self._stems.get(s)
        return name if name in self.unit_names else None
