"""The demo town's inspection history (检查记录): 12 months of inspections before the as-of day,
each with its outcome, drawn from a hidden structure a risk model has to discover.

Who inspects when: villages check their own houses (自查, diligent villages more often),
departments run four campaigns a year (专项检查, bigger and key-area houses first), the
supervision group visits a sample every month (督导, careless villages more), and a house where
a hazard was found is often revisited one to three months later (回头看).

Whether an inspection finds a hazard: a logistic function of the house as it stood on that day
— crowding (tenants per room above a threshold, tenants per bed), unregistered tenants,
electricity far above what the registered tenants explain, self-built houses in the urban
village or the rural self-built area, other key areas, CCTV missing where required, no pledge,
the house not registered, hazards found there before (decaying with time), the hot spots and
hot villages, and the village's diligence — plus the kind of inspection. Thresholds and
interactions make it nonlinear.

The structure's parameters are drawn from the seed within the ranges below (`_RANGES`): a
different seed is a town with its own structure, strength and mix. They exist only in memory
while the town is generated: nothing writes them to the database (not `meta` either) or to any
file, and no module but this one may read them (tests/test_demo_history.py).
"""

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from geo_service.demo.places import Places
from geo_service.demo.town import Town, stem
from geo_service.domain.rules import RuleParams

KINDS = np.array(["self", "special", "supervision", "review"])
SELF, SPECIAL, SUPERVISION, REVIEW = range(4)
_DAYS = 365
_TEAMS = 4  # 督导组第1组 … 第4组
_CAMPAIGNS = 4  # 专项检查 a year, one department each

# name → (low, high): each parameter is drawn uniformly in its range from the seed.
_RANGES = {
    "hazards_per_find": (1.7, 2.1),  # hazard rows per inspection that found any (on average)
    "b_scale": (0.95, 1.25),  # scales every term below
    "crowd_threshold": (1.3, 1.55),  # tenants per room above which crowding bites
    "b_crowd_step": (0.9, 1.6),
    "b_crowd_slope": (0.0, 1.2),  # per tenant per room above the threshold
    "b_per_bed": (0.0, 1.5),  # per tenant per bed above 0.9
    "b_unregistered": (1.0, 2.2),  # × share of tenants not registered
    "kwh_ratio_threshold": (1.35, 1.7),  # kWh / (40 + 56 × registered tenants) above this …
    "b_kwh_step": (0.8, 1.6),  # … adds this
    "b_self_built_area": (0.6, 1.4),  # self-built AND in the urban village / rural self-built area
    "b_self_built": (0.0, 0.4),
    "b_dense_area": (0.3, 0.8),  # urban village or old estate
    "b_cctv_missing": (0.3, 0.9),  # required (rooms/beds/tenants) but not installed
    "b_no_pledge": (0.2, 0.7),
    "b_not_registered": (0.2, 0.8),
    "b_recent": (0.6, 1.4),  # a hazard found at the house before …
    "recent_decay_days": (45.0, 120.0),  # … decaying with this time constant
    "b_hot_spot": (0.5, 1.0),  # × log of the hot-spot kernel (1 … 6)
    "b_hot_unit": (0.7, 1.3),
    "b_careless": (1.0, 2.2),  # × (0.8 − diligence)
    "b_kind_self": (-0.7, -0.3),  # a village's own check misses more
    "b_kind_special": (0.0, 0.4),
    "b_kind_supervision": (0.2, 0.6),
    "revisit_share": (0.35, 0.6),  # of the finds revisited (回头看)
}


@dataclass(frozen=True)
class History:
    """The inspections (columns of the `inspections` table, ids in row order) and the hazards
    they found: `found_house` (0-based house index), `found_on` and `found_inspection` (id),
    one entry per hazard row to create."""

    inspections: dict
    found_house: np.ndarray
    found_on: np.ndarray
    found_inspection: np.ndarray


def _draw(rng: np.random.Generator) -> dict[str, float]:
    return {k: float(rng.uniform(lo, hi)) for k, (lo, hi) in _RANGES.items()}


def _kernel(rng: np.random.Generator, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Two hazard hot spots, centred on real houses: 1 far away, up to 6 at the centre."""
    kernel = np.ones(len(x))
    for j in rng.choice(len(x), 2, replace=False):
        kernel += 5 * np.exp(-((x - x[j]) ** 2 + (y - y[j]) ** 2) / (2 * 280.0**2))
    return kernel


def _static_logit(
    h: dict, town: Town, places: Places, kernel: np.ndarray, p: RuleParams, c: dict
) -> np.ndarray:
    """The part of each house's log-odds that does not change over the year."""
    idx = np.flatnonzero(places.is_house)
    kind = {k: v[idx] for k, v in places.in_kind.items()}
    rooms = np.maximum(h["rooms"], 1)
    beds = np.maximum(h["beds"], 1)
    tenants = h["tenants"].astype(float)
    registered = h["registered_tenants"].astype(float)
    per_room = tenants / rooms
    over = per_room > c["crowd_threshold"]
    unregistered = np.where(tenants > 0, (tenants - registered) / np.maximum(tenants, 1), 0.0)
    ratio = h["electricity_kwh_month"] / (40 + 56 * registered)
    self_built = np.asarray(h["is_self_built"], dtype=bool)
    built_area = kind["urban_village"] | kind["rural_self_built"]
    required = (
        (h["rooms"] >= p.cctv_min_rooms)
        | (h["beds"] >= p.cctv_min_beds)
        | (h["tenants"] >= p.cctv_min_tenants)
    )
    dil = np.array([u.diligence for u in town.units])[h["unit_id"] - 1]
    terms = (
        c["b_crowd_step"] * over
        + c["b_crowd_slope"] * np.clip(per_room - c["crowd_threshold"], 0, 1.5)
        + c["b_per_bed"] * np.clip(tenants / beds - 0.9, 0, 0.5) * 2
        + c["b_unregistered"] * np.sqrt(unregistered)
        + c["b_kwh_step"] * (ratio > c["kwh_ratio_threshold"])
        + c["b_self_built_area"] * (self_built & built_area)
        + c["b_self_built"] * self_built
        + c["b_dense_area"] * (kind["urban_village"] | kind["old_estate"])
        + c["b_cctv_missing"] * (required & ~np.asarray(h["cctv_installed"], dtype=bool))
        + c["b_no_pledge"] * ~np.asarray(h["pledge_signed"], dtype=bool)
        + c["b_not_registered"] * ~np.asarray(h["is_registered"], dtype=bool)
        + c["b_hot_spot"] * np.log(kernel)
        + c["b_hot_unit"] * np.isin(h["unit_id"], town.hot_units)
        + c["b_careless"] * (0.8 - dil)
    )
    return c["b_scale"] * terms


def _schedule(rng: np.random.Generator, town: Town, h: dict, places: Places):
    """Planned inspections (all but 回头看): house index, day (0 = a year before as-of), kind,
    team or department index."""
    n = len(h["id"])
    dil = np.array([u.diligence for u in town.units])[h["unit_id"] - 1]
    idx = np.flatnonzero(places.is_house)
    dense = (places.in_kind["urban_village"] | places.in_kind["old_estate"])[idx]
    # 自查: a diligent village checks its houses every month or two, a careless one rarely.
    per_house = rng.poisson(1.0 + 5.0 * (dil - 0.5))
    house = [np.repeat(np.arange(n), per_house)]
    day = [rng.integers(0, _DAYS, len(house[0]))]
    kind = [np.full(len(house[0]), SELF)]
    who = [np.zeros(len(house[0]), int)]
    # 专项检查: four campaigns of 20 days; each reaches ~30 % of the houses, big and dense first.
    reach = np.clip(0.25 * (1 + (h["rooms"] >= 10) + dense), 0, 1)
    for _ in range(_CAMPAIGNS):
        start = rng.integers(0, _DAYS - 20)
        hit = np.flatnonzero(rng.random(n) < reach)
        house.append(hit)
        day.append(start + rng.integers(0, 20, len(hit)))
        kind.append(np.full(len(hit), SPECIAL))
        who.append(np.full(len(hit), rng.integers(0, len(town.departments))))
    # 督导: every month the supervision group visits ~4 % of the houses, careless villages more.
    w = 1.8 - dil
    for month in range(12):
        hit = np.flatnonzero(rng.random(n) < 0.04 * w / w.mean())
        house.append(hit)
        day.append(np.minimum(month * 30 + rng.integers(0, 30, len(hit)), _DAYS - 1))
        kind.append(np.full(len(hit), SUPERVISION))
        who.append(rng.integers(0, _TEAMS, len(hit)))
    cols = [np.concatenate(a) for a in (house, day, kind, who)]
    order = np.lexsort((cols[3], cols[2], cols[0], cols[1]))  # by day, house, kind, who
    return [a[order] for a in cols]


def _intercept(static: np.ndarray, kind_off: np.ndarray, target: float) -> float:
    """The intercept giving `target` as the mean probability over the planned inspections."""
    lo, hi = -12.0, 6.0
    for _ in range(40):
        mid = (lo + hi) / 2
        if np.mean(1 / (1 + np.exp(-(mid + static + kind_off)))) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def build_history(
    rng: np.random.Generator,
    town: Town,
    places: Places,
    houses: dict,
    n_hazards: int,
    as_of: date,
    p: RuleParams,
) -> History:
    """The year's inspections with their outcomes, and the hazards to create (`n_hazards`)."""
    c = _draw(rng)
    idx = np.flatnonzero(places.is_house)
    kernel = _kernel(rng, places.x[idx], places.y[idx])
    static = _static_logit(houses, town, places, kernel, p, c)
    kind_off = c["b_scale"] * np.array(
        [c["b_kind_self"], c["b_kind_special"], c["b_kind_supervision"], 0.0]
    )
    house, day, kind, who = _schedule(rng, town, houses, places)
    # As many finds as the town's hazards allow at `hazards_per_find` each. Feedback (past
    # finds, revisits) adds finds, so the intercept is found by running the year again with
    # the same random draws until the finds are within 3 % of that.
    target = n_hazards / c["hazards_per_find"]
    a = _intercept(static[house], kind_off[kind], min(0.5, 0.7 * target / len(house)))
    draws = int(rng.integers(2**62))
    plan = (house, day, kind, who)
    cols = _simulate(np.random.default_rng(draws), plan, a, static, kind_off, c, len(houses["id"]))
    for _ in range(4):
        got = int(cols["found"].sum())
        if abs(got - target) <= 0.03 * target or got == 0:
            break
        rate, want = got / len(cols["found"]), target / len(cols["found"])
        a += np.log(want / (1 - want)) - np.log(rate / (1 - rate))
        cols = _simulate(
            np.random.default_rng(draws), plan, a, static, kind_off, c, len(houses["id"])
        )
    return _assemble(rng, town, houses, cols, n_hazards, as_of)


def _simulate(rng, plan, a: float, static, kind_off, c: dict, n: int) -> dict:
    """The year day by day: each inspection's log-odds on its day (the house's hazards found
    before that day count), its outcome, and the 回头看 it triggers."""
    house, day, kind, who = plan
    last = np.full(n, -(10**6))  # the day of the last find at each house
    bounds = np.searchsorted(day, np.arange(_DAYS + 1))
    reviews: list[list[np.ndarray]] = [[] for _ in range(_DAYS)]
    out = {k: [] for k in ("house", "day", "kind", "who", "found", "logit")}
    for d in range(_DAYS):
        s, e = bounds[d], bounds[d + 1]
        hh = np.concatenate([house[s:e], *reviews[d]]).astype(np.int64)
        kk = np.concatenate([kind[s:e], np.full(len(hh) - (e - s), REVIEW)])
        ww = np.concatenate([who[s:e], rng.integers(0, _TEAMS, len(hh) - (e - s))])
        # One row per house, kind and inspecting unit on a day (the sheet's natural key).
        _, first = np.unique((hh * 4 + kk) * 64 + ww, return_index=True)
        hh, kk, ww = hh[first], kk[first], ww[first]
        since = d - last[hh]
        logit = a + static[hh] + kind_off[kk]
        logit += c["b_scale"] * c["b_recent"] * np.exp(-since / c["recent_decay_days"])
        found = rng.random(len(hh)) < 1 / (1 + np.exp(-logit))
        last[hh[found]] = d
        back = hh[found][rng.random(found.sum()) < c["revisit_share"]]
        when = d + rng.integers(20, 90, len(back))
        for t in np.unique(when[when < _DAYS]):
            reviews[t].append(back[when == t])
        for k, v in zip(out, (hh, np.full(len(hh), d), kk, ww, found, logit), strict=True):
            out[k].append(v)
    return {k: np.concatenate(v) for k, v in out.items()}


def _assemble(rng, town: Town, houses: dict, cols: dict, n_hazards: int, as_of: date):
    """Rows in table order (house, day, kind), who inspected, and the hazard rows to create:
    one per find, the rest spread over the finds by their odds (worse places, more hazards)."""
    order = np.lexsort((cols["who"], cols["kind"], cols["day"], cols["house"]))
    c = {k: v[order] for k, v in cols.items()}
    m = len(order)
    ids = np.arange(1, m + 1)
    day = np.datetime64(as_of, "D") - (_DAYS - 1 - c["day"]).astype("timedelta64[D]")
    departments = list(town.departments)
    villages = np.array([u.name for u in town.units])
    unit_of_house = houses["unit_id"][c["house"]]
    names = np.select(
        [c["kind"] == SELF, c["kind"] == SPECIAL],
        [villages[unit_of_house - 1], np.array(departments)[c["who"] % len(departments)]],
        np.char.add(np.char.add("督导组第", (c["who"] + 1).astype(str)), "组"),
    )
    unit_id = np.select(
        [c["kind"] == SELF, c["kind"] == SPECIAL],
        [
            unit_of_house,
            np.array([town.departments[d] for d in departments])[c["who"] % len(departments)],
        ],
        0,
    )
    grid = np.array([f"{stem(u.name)}网格员" for u in town.units])[unit_of_house - 1]
    inspections = {
        "id": ids,
        "house_id": houses["id"][c["house"]],
        "inspected_on": day,
        "kind": KINDS[c["kind"]],
        "inspector": pd.Series(grid).where(c["kind"] == SELF),
        "unit_name": names,
        "unit_id": pd.Series(pd.array(unit_id, dtype="Int64")).where(unit_id > 0),
        "found_hazard": c["found"],
        "source": np.full(m, "sheet"),
    }
    finds = np.flatnonzero(c["found"])
    odds = np.exp(np.clip(c["logit"][finds], -20, 20))
    if n_hazards >= len(finds):
        per = 1 + rng.multinomial(n_hazards - len(finds), odds / odds.sum())
    else:  # more finds than hazards (not expected): some finds have no hazard row, which is
        per = np.zeros(len(finds), int)  # allowed (是否发现隐患 = 是 without a 隐患 row)
        per[rng.choice(len(finds), n_hazards, replace=False)] = 1
    return History(
        inspections,
        np.repeat(c["house"][finds], per),
        np.repeat(day[finds], per),
        np.repeat(ids[finds], per),
    )
