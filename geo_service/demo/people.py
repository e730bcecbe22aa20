"""Synthetic people: names, 18-digit resident ID numbers and mobile numbers, vectorised.

All of it is invented. ID numbers start with a Wujin area code (320412, or the former 320483)
and carry a valid GB 11643 check digit so validators accept them; phone numbers use common
mobile prefixes. None of them belongs to anyone on purpose.
"""

import numpy as np

# Surnames common in southern Jiangsu, and characters for given names.
SURNAMES = list("王张陈李周吴徐朱蒋钱顾邵杨刘黄沈孙胡汤戴谈虞管许马庄恽是薛丁")
GIVEN = list("建国明华伟芳娟军平勇杰丽强磊洋艳敏静秀英志红霞亮刚峰兰云飞玉春梅海涛")
AREA_CODES = ("320412", "320483")
_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_ID_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
_MOBILE_PREFIXES = np.array([133, 135, 136, 137, 138, 139, 150, 151, 152, 158, 159, 180, 187, 189])


def names(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` Chinese personal names (surname + one or two given-name characters)."""
    sur = np.array(SURNAMES)[rng.integers(0, len(SURNAMES), n)]
    g1 = np.array(GIVEN)[rng.integers(0, len(GIVEN), n)]
    g2 = np.where(rng.random(n) < 0.7, np.array(GIVEN)[rng.integers(0, len(GIVEN), n)], "")
    return np.strings.add(np.strings.add(sur, g1), g2)


def _digits_to_str(digits: np.ndarray) -> np.ndarray:
    """(n, k) array of ASCII codes → n strings of length k."""
    k = digits.shape[1]
    return np.ascontiguousarray(digits.astype(np.uint8)).view(f"S{k}").ravel().astype(f"U{k}")


def id_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` 18-digit resident ID numbers of adults born 1950–1995, valid check digit."""
    area = np.array([[ord(c) - 48 for c in code] for code in AREA_CODES])[rng.integers(0, 2, n)]
    born = np.datetime64("1950-01-01") + rng.integers(0, 365 * 46, n).astype("timedelta64[D]")
    ymd = np.strings.replace(np.datetime_as_string(born, unit="D"), "-", "")
    ymd_digits = np.frombuffer(ymd.astype("S8").tobytes(), dtype=np.uint8).reshape(n, 8) - 48
    seq = rng.integers(0, 1000, n)
    seq_digits = np.column_stack([seq // 100, seq // 10 % 10, seq % 10])
    body = np.hstack([area, ymd_digits, seq_digits])  # 17 digits
    check = _ID_CHECK[(body @ _ID_WEIGHTS) % 11]
    return _digits_to_str(np.column_stack([body + 48, check]))


def phones(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` 11-digit mobile numbers."""
    prefix = _MOBILE_PREFIXES[rng.integers(0, len(_MOBILE_PREFIXES), n)]
    head = np.column_stack([prefix // 100, prefix // 10 % 10, prefix % 10])
    return _digits_to_str(np.hstack([head, rng.integers(0, 10, (n, 8))]) + 48)
