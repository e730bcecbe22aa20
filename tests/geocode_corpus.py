"""A labelled geocoding set built from the demo town's standard addresses, with the ways
people really write addresses wrong, and the scoring of a geocoder on it.

Each sample is a standard address (the truth: its point) written with one or two
corruptions: Chinese numerals, full-width digits, the town or village level left out,
province–city–district levels added, the village by another name (戴溪村 for 戴溪社区,
岑村 for 岑村村), a typo in the road name — a homophone (同音字), a look-alike character
(形近字) or a dropped character — spaces and punctuation, a building/room suffix or 附近,
a missing 号. House numbers are never corrupted: a wrong
number is a different door, not a typo the geocoder could undo.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from geo_service.crs import haversine_m

_CN_DIGITS = "零一二三四五六七八九"
_HOMOPHONES = {
    "溪": "西", "阳": "杨", "民": "名", "建": "见", "设": "社", "东": "冬", "新": "心",
    "河": "和", "桥": "乔", "湖": "胡", "大": "达", "街": "接", "安": "按", "华": "花",
    "中": "忠", "山": "三", "平": "坪", "和": "禾", "兴": "星", "园": "元", "南": "楠",
    "北": "贝", "西": "溪", "长": "常", "江": "姜", "塘": "唐", "庄": "装", "家": "佳",
    "港": "岗", "滨": "宾", "明": "名", "光": "广", "文": "闻", "人": "仁", "朝": "潮",
    "鞍": "安", "马": "码", "天": "添", "井": "景", "友": "有", "谊": "义", "管": "馆",
    "城": "成", "尖": "间", "虞": "于", "谈": "谭", "头": "投", "留": "流", "小": "晓",
    "岑": "芩", "汤": "唐", "墅": "树", "戴": "代", "洛": "落",
}  # fmt: skip


def cn_number(n: int) -> str:
    """12 → 十二, 105 → 一百零五 (as people write door numbers)."""
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + cn_number(rest) if rest < 10 else cn_number(rest))
    if 10 <= rest < 20:
        tail = "一" + tail  # 一百一十二
    return _CN_DIGITS[n // 100] + "百" + tail


@dataclass(frozen=True)
class Parts:
    unit: str
    road: str
    number: int


def _alias(unit: str, rng) -> str:
    stem = unit.removesuffix("社区").removesuffix("村")
    choices = [stem + "村", stem + "村委会", stem + "村委"]
    if unit.endswith("村") and len(stem) >= 2 and stem != "洛阳":
        choices.append(stem)
    return choices[rng.integers(len(choices))]


# Characters people mistype by shape or by slip of the finger (形近字 / 错字), not by sound.
_LOOKALIKES = {
    "戴": "載", "溪": "漠", "阳": "阴", "民": "氏", "建": "健", "设": "没", "东": "车",
    "新": "亲", "河": "何", "桥": "挢", "湖": "潮", "大": "太", "街": "衔", "安": "按",
    "中": "申", "天": "夭", "井": "并", "友": "支", "管": "菅", "城": "诚", "尖": "尘",
    "留": "溜", "小": "少", "岑": "芩", "汤": "场", "墅": "野", "马": "乌", "鞍": "鞋",
    "朝": "潮", "谈": "淡", "头": "买", "虞": "虐", "滨": "宾", "西": "酉", "北": "比",
    "南": "市", "渠": "柒", "庄": "压", "芦": "卢", "洛": "落", "家": "冢", "塘": "糖",
}  # fmt: skip


def _replace_one(road: str, table: dict[str, str], rng) -> str:
    positions = [i for i, ch in enumerate(road[:-1]) if ch in table]  # keep the 路/街 suffix
    if not positions:
        return road
    i = positions[rng.integers(len(positions))]
    return road[:i] + table[road[i]] + road[i + 1 :]


def _drop_one(road: str, rng) -> str:
    if len(road) <= 3:
        return road
    i = int(rng.integers(len(road) - 2))  # never the suffix
    return road[:i] + road[i + 1 :]


def _typo(road: str, rng) -> str:
    name = road
    positions = [i for i, ch in enumerate(name[:-1]) if ch in _HOMOPHONES]  # keep 路/街 suffix
    if not positions:
        return road
    i = positions[rng.integers(len(positions))]
    return name[:i] + _HOMOPHONES[name[i]] + name[i + 1 :]


CORRUPTIONS = [
    "cn_numeral",
    "fullwidth",
    "no_town",
    "no_village",
    "admin_levels",
    "alias",
    "typo",
    "lookalike",
    "dropped_char",
    "spaces",
    "suffix",
    "no_hao",
]


def write(parts: Parts, kinds: list[str], rng) -> str:
    """The address of `parts` written with the corruptions `kinds`."""
    unit, road, num = parts.unit, parts.road, str(parts.number) + "号"
    prefix = "洛阳镇"
    if "cn_numeral" in kinds:
        num = cn_number(parts.number) + "号"
    if "fullwidth" in kinds:
        num = num.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if "no_town" in kinds:
        prefix = ""
    if "admin_levels" in kinds:
        prefix = ["江苏省常州市武进区洛阳镇", "常州市武进区洛阳镇", "武进洛阳镇"][rng.integers(3)]
    if "alias" in kinds:
        unit = _alias(unit, rng)
    if "no_village" in kinds:
        unit = ""
    if "typo" in kinds:
        road = _typo(road, rng)
    if "lookalike" in kinds:
        road = _replace_one(road, _LOOKALIKES, rng)
    if "dropped_char" in kinds:
        road = _drop_one(road, rng)
    if "no_hao" in kinds:
        num = num.removesuffix("号")
    text = prefix + unit + road + num
    if "spaces" in kinds:
        text = " ".join([prefix + unit, road, num]).strip()
    if "suffix" in kinds and "no_hao" not in kinds:
        text += ["3幢201室", "附近", "(东边)", "2单元"][rng.integers(4)]
    return text


def build(addresses: pd.DataFrame, units: list[str], roads: list[str], n: int, seed: int = 1):
    """`n` samples: (written address, unit name, true lon, true lat, corruptions)."""
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(addresses), n, replace=len(addresses) < n)
    rows = []
    for i in pick:
        a = addresses.iloc[i]
        rest = a["normalized"][len(a["unit"]) :]
        road = next(r for r in sorted(roads, key=len, reverse=True) if rest.startswith(r))
        parts = Parts(a["unit"], road, int(rest[len(road) :].removesuffix("号")))
        k = 1 if rng.random() < 0.6 else 2
        kinds = list(rng.choice(CORRUPTIONS, k, replace=False))
        rows.append((write(parts, kinds, rng), a["unit"], a["lon"], a["lat"], "+".join(kinds)))
    return pd.DataFrame(rows, columns=["written", "unit", "lon", "lat", "kinds"])


@dataclass(frozen=True)
class Score:
    n: int
    placed: int  # exact or fuzzy
    within_30m: int
    wrong_100m: int  # placed farther than 100 m from the truth

    @property
    def recall(self) -> float:
        return self.within_30m / self.n

    @property
    def precision(self) -> float:
        return self.within_30m / self.placed if self.placed else 1.0

    @property
    def wrong_rate(self) -> float:
        return self.wrong_100m / self.n


def score(samples: pd.DataFrame, placed: pd.DataFrame) -> Score:
    ok = placed["method"].isin(["exact", "fuzzy"]).to_numpy()
    lon, lat = placed["lon"].astype(float), placed["lat"].astype(float)
    d = haversine_m(samples["lon"], samples["lat"], lon, lat)
    d = np.where(ok, d, np.inf)
    return Score(len(samples), int(ok.sum()), int((d <= 30).sum()), int((ok & (d > 100)).sum()))


def demo_reference_rows(cur) -> tuple[pd.DataFrame, list[str], dict[str, int]]:
    """The demo town's standard addresses (in id order), road names and village/community ids,
    read with the cursor `cur`: what a geocoder is built from and checked against."""
    cur.execute(
        "SELECT a.normalized, a.full_address, u.name, ST_X(a.geom), ST_Y(a.geom) "
        "FROM addresses a JOIN units u ON u.id = a.unit_id ORDER BY a.id"
    )
    addresses = pd.DataFrame(
        cur.fetchall(), columns=["normalized", "full_address", "unit", "lon", "lat"]
    )
    cur.execute("SELECT DISTINCT name FROM roads WHERE name IS NOT NULL ORDER BY name")
    roads = [r for (r,) in cur.fetchall()]
    cur.execute("SELECT name, id FROM units WHERE kind <> 'department'")
    return addresses, roads, dict(cur.fetchall())


# -- addresses as staff write them (tests/geocode_written.tsv) ----------------------------------

WRITTEN = Path(__file__).with_name("geocode_written.tsv")


@dataclass(frozen=True)
class Written:
    written: str
    unit: str | None  # 所属单位 given with the row
    truth: str | None  # the standard address meant; None: no such door (must be flagged)
    note: str


def written_corpus() -> list[Written]:
    """The hand-written variants (comments and blank lines skipped)."""
    rows = []
    for line in WRITTEN.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        written, unit, truth, note = line.split("\t")
        rows.append(Written(written, unit or None, None if truth == "-" else truth, note))
    return rows


@dataclass(frozen=True)
class WrittenScore:
    n: int
    doors: int  # rows whose door exists
    within_30m: int  # … placed within 30 m of it
    wrong: int  # placed farther than 30 m from the door, or placed at all when it does not exist
    flagged_missing: int  # rows without a door that were flagged
    missing: int  # rows without a door
    misses: list  # (written, unit, method, matched) of the rows not right, to read

    @property
    def recall(self) -> float:
        return self.within_30m / self.doors

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.n


def score_written(rows: list[Written], placed: pd.DataFrame, points: dict) -> WrittenScore:
    within = wrong = flagged = 0
    misses = []
    for row, m in zip(rows, placed.itertuples(), strict=True):
        ok = m.method in ("exact", "fuzzy")
        if row.truth is None:
            flagged += not ok
            wrong += ok
        elif ok and haversine_m(m.lon, m.lat, *points[row.truth]) <= 30:
            within += 1
            continue
        else:
            wrong += ok
        if ok or row.truth is not None:
            misses.append((row.written, row.unit, m.method, m.matched))
    doors = sum(r.truth is not None for r in rows)
    return WrittenScore(len(rows), doors, within, wrong, flagged, len(rows) - doors, misses)
