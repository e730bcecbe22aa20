"""Public-security incidents (警情) over 12 months: 2–4 hot spots plus background noise.

An incident happens at a door (it carries that door's standard address), a few metres off it.
Each hot spot has its own dominant kind (a theft street, a dispute-prone estate…); background
incidents follow where people live.
"""

from datetime import date

import numpy as np

from geo_service.demo.houses import natural_keys
from geo_service.demo.places import Places
from geo_service.domain.vocabulary import INCIDENT_TYPES_ZH

_BACKGROUND_MIX = np.array([0.30, 0.30, 0.20, 0.05, 0.15])  # 盗窃 纠纷 诈骗 火警 治安
_HOT_SHARE = 0.55
# Incidents by hour of day: quiet before dawn, busy in the evening.
_HOURLY = np.array([3, 2, 1, 1, 1, 1, 2, 3, 4, 5, 5, 5, 5, 5, 5, 5, 6, 7, 8, 9, 9, 8, 6, 4], float)


def build_incidents(rng: np.random.Generator, places: Places, n: int, as_of: date) -> dict:
    """Columns of the `incidents` table (`unit_id` is filled in SQL from the containing unit)."""
    crowded = np.flatnonzero(places.in_kind["urban_village"] | places.in_kind["old_estate"])
    pool = crowded if len(crowded) else np.arange(len(places.x))
    n_hot = int(rng.integers(2, 5))
    centres = rng.choice(pool, n_hot, replace=False)
    sigma = rng.uniform(150, 300, n_hot)
    dominant = rng.permutation(len(INCIDENT_TYPES_ZH))[:n_hot]

    hot_counts = rng.multinomial(round(n * _HOT_SHARE), np.full(n_hot, 1 / n_hot))
    doors, kinds = [], []
    for j, c in enumerate(hot_counts):
        d2 = (places.x - places.x[centres[j]]) ** 2 + (places.y - places.y[centres[j]]) ** 2
        w = np.exp(-d2 / (2 * sigma[j] ** 2))
        doors.append(rng.choice(len(w), int(c), p=w / w.sum()))
        mix = _BACKGROUND_MIX * 0.4
        mix[dominant[j]] += 0.6
        kinds.append(rng.choice(len(mix), int(c), p=mix / mix.sum()))
    m_bg = n - int(hot_counts.sum())
    w = np.where(places.is_house, 3.0, 1.0)
    doors.append(rng.choice(len(w), m_bg, p=w / w.sum()))
    kinds.append(rng.choice(len(_BACKGROUND_MIX), m_bg, p=_BACKGROUND_MIX))
    door = np.concatenate(doors)
    kind = np.concatenate(kinds)
    m = len(door)

    day = np.datetime64(as_of, "D") - rng.integers(0, 365, m).astype("timedelta64[D]")
    hour = rng.choice(24, m, p=_HOURLY / _HOURLY.sum())
    at = day.astype("datetime64[s]") + (hour * 3600 + rng.integers(0, 3600, m)).astype(
        "timedelta64[s]"
    )
    order = np.argsort(at, kind="stable")
    door, kind, at = door[order], kind[order], at[order]
    label = np.array(INCIDENT_TYPES_ZH)[kind]
    return {
        "id": np.arange(1, m + 1),
        "incident_code": natural_keys("JQ-", m),
        # Local time in Changzhou, stated explicitly so the server's time zone cannot shift it.
        "occurred_at": np.strings.add(np.datetime_as_string(at, unit="s"), "+08:00"),
        "category": label,
        "address": places.full_address[door],
        "summary": np.strings.add(label, "警情（合成演示数据）"),
        "x": places.x[door] + rng.normal(0, 12, m),
        "y": places.y[door] + rng.normal(0, 12, m),
        "geocode_method": np.full(m, "given"),
        "geocode_confidence": np.ones(m),
    }
