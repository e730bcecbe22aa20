"""Hazards (安全隐患) over every category with their lifecycle, and the inspections that found
them, vectorised.

Hazards cluster: three hot-spot villages and two spatial hot spots carry far more than their
share, as do crowded houses in urban villages and careless villages. Dates run over the 12
months before the as-of date; the database derives each deadline by the rules in force
(`hazard_due()`); some hazards are overdue, some rectified late, some posted on the wall but never
entered in the system (so not 'transferred').
"""

from datetime import date

import numpy as np
import pandas as pd

from geo_service.demo.houses import natural_keys
from geo_service.demo.places import Places
from geo_service.demo.town import Town, stem
from geo_service.domain.rules import RuleParams
from geo_service.domain.vocabulary import HAZARD_CATEGORIES, Severity

# Share of each category among hazards found (fire hazards dominate in rental housing).
SHARES = {
    "illegal_construction": 0.06,
    "unauthorised_change": 0.05,
    "below_standard": 0.04,
    "dangerous_house": 0.02,
    "lpg_cylinder": 0.09,
    "open_flame": 0.05,
    "improvised_wiring": 0.14,
    "blocked_escape": 0.09,
    "ebike": 0.16,
    "fire_equipment_missing": 0.12,
    "cctv_missing": 0.07,
    "crime": 0.04,
    "power_facility": 0.07,
}
_STRUCTURAL = {"illegal_construction", "unauthorised_change", "below_standard", "dangerous_house"}
_CROWDING = {"ebike", "improvised_wiring", "lpg_cylinder", "blocked_escape"}
_NOTICE_DAYS = np.array([3, 5, 7, 10, 15, 30, 45, 60])
_NAT = np.datetime64("NaT", "D")


def _day(d: date) -> np.datetime64:
    return np.datetime64(d, "D")


def _house_weights(rng, town: Town, places: Places, houses: dict) -> np.ndarray:
    """How likely each house is to have a hazard: hot villages, hot spots, crowding, neglect."""
    idx = np.flatnonzero(places.is_house)
    x, y = places.x[idx], places.y[idx]
    unit = houses["unit_id"] - 1
    dil = np.array([u.diligence for u in town.units])[unit]
    hot_unit = np.isin(houses["unit_id"], town.hot_units)
    dense = (places.in_kind["urban_village"] | places.in_kind["old_estate"])[idx]
    kernel = np.ones(len(idx))
    for j in rng.choice(len(idx), 2, replace=False):  # two hot spots, centred on real houses
        kernel += 5 * np.exp(-((x - x[j]) ** 2 + (y - y[j]) ** 2) / (2 * 280.0**2))
    return (
        np.where(hot_unit, 4.0, 1.0)
        * np.where(dense, 2.0, 1.0)
        * (1 + houses["rooms"] / 8)
        * (1.7 - dil)
        * kernel
    )


def _category_weight(code: str, base: np.ndarray, houses: dict, p: RuleParams) -> np.ndarray:
    """Steer each category to the houses it plausibly belongs to."""
    if code == "cctv_missing":
        required = (
            (houses["rooms"] >= p.cctv_min_rooms)
            | (houses["beds"] >= p.cctv_min_beds)
            | (houses["tenants"] >= p.cctv_min_tenants)
        )
        retention = houses["cctv_retention_days"].fillna(0).to_numpy(dtype=int)
        short = retention < p.cctv_min_retention_days
        bad = required & (~houses["cctv_installed"] | short)
        mask = bad if bad.any() else np.ones(len(base), bool)
        return base * mask
    if code == "fire_equipment_missing":
        lacking = np.zeros(len(base), bool)
        for col in ("has_smoke_masks", "has_torches", "has_extinguishers"):
            lacking |= ~houses[col].fillna(True).to_numpy(dtype=bool)
        return base * np.where(lacking, 6.0, 1.0)
    if code in _STRUCTURAL:
        return base * np.where(houses["is_self_built"], 4.0, 1.0)
    if code in _CROWDING:
        return base * (1 + houses["tenants"] / 10)
    return base


def build_hazards(
    rng: np.random.Generator,
    town: Town,
    places: Places,
    houses: dict,
    n: int,
    as_of: date,
    p: RuleParams,
) -> dict:
    """Columns of the `hazards` table: `n` hazards (at least one of every category)."""
    base = _house_weights(rng, town, places, houses)
    codes = [c.code for c in HAZARD_CATEGORIES]
    shares = np.array([SHARES[c] for c in codes])
    counts = np.maximum(rng.multinomial(n, shares / shares.sum()), 1)
    house_idx, cat_idx = [], []
    for k, (code, c) in enumerate(zip(codes, counts, strict=True)):
        w = _category_weight(code, base, houses, p)
        house_idx.append(rng.choice(len(w), int(c), p=w / w.sum()))
        cat_idx.append(np.full(int(c), k))
    house = np.concatenate(house_idx)
    cat = np.concatenate(cat_idx)
    m = len(house)
    today = _day(as_of)
    found = today - rng.integers(0, 365, m).astype("timedelta64[D]")
    order = np.lexsort((house, found))  # codes follow the order of discovery
    house, cat, found = house[order], cat[order], found[order]
    dil = np.array([u.diligence for u in town.units])[houses["unit_id"][house] - 1]

    default_major = np.array([c.default_severity is Severity.MAJOR for c in HAZARD_CATEGORIES])
    major = default_major[cat] | (rng.random(m) < 0.06)
    notice = np.where(
        rng.random(m) < 0.25,
        found + _NOTICE_DAYS[rng.integers(0, len(_NOTICE_DAYS), m)].astype("timedelta64[D]"),
        _NAT,
    )
    # Rectification: diligent villages fix more and in time; a fix after as-of has not happened.
    # `window` is how long a village aims to take (the notice, else about the plan's 7 days or
    # 3 months) — behaviour, not the deadline: the database derives due_on by the rules in force.
    aim = np.where(major, p.major_deadline_days, 30 * p.general_deadline_months)
    window = np.where(np.isnat(notice), aim, (notice - found).astype(np.int64))
    late = rng.random(m) < 0.1 + 0.35 * (1 - dil)
    delay = np.where(
        late, window + rng.geometric(1 / 25, m), np.floor(rng.random(m) * (window + 1))
    ).astype("timedelta64[D]")
    rectified = found + delay
    fixed = (rng.random(m) < 0.6 + 0.38 * dil) & (rectified <= today)
    rectified = np.where(fixed, rectified, _NAT)
    verified = rectified + rng.integers(0, 15, m).astype("timedelta64[D]")
    verified = np.where(fixed & (rng.random(m) < 0.35) & (verified <= today), verified, _NAT)

    # Transfer (流转) = on the wall AND in the system; some only made it onto the wall.
    u = rng.random(m)
    both = u < 0.68 + 0.27 * dil
    wall_only = ~both & (u < 0.75 + 0.27 * dil)
    system_only = ~both & ~wall_only & (u < 0.77 + 0.27 * dil)
    transferred = np.minimum(found + rng.integers(0, 6, m).astype("timedelta64[D]"), today)
    dept = np.array([town.departments[c.department_zh] for c in HAZARD_CATEGORIES])[cat]
    labels = np.array([c.label_zh for c in HAZARD_CATEGORIES])
    return {
        "id": np.arange(1, m + 1),
        "hazard_code": natural_keys("YH-", m),
        "house_id": houses["id"][house],
        "category": np.array(codes)[cat],
        "severity": np.where(major, "major", "general"),
        "found_on": found,
        "deadline_on": notice,
        "posted_on_wall": both | wall_only,
        "entered_in_system": both | system_only,
        "department_id": pd.Series(pd.array(dept, dtype="Int64")).where(both),
        "transferred_on": np.where(both, transferred, _NAT),
        "rectified_on": rectified,
        "verified_on": verified,
        "description": labels[cat],
    }


def build_inspections(
    rng: np.random.Generator, town: Town, houses: dict, hazards: dict, as_of: date
) -> dict:
    """Routine inspections (mostly 自查) plus one on the day each hazard was found; sets the
    houses' `last_inspected_on`. Diligent villages inspect more houses more often."""
    n = len(houses["id"])
    dil = np.array([u.diligence for u in town.units])[houses["unit_id"] - 1]
    per_house = rng.poisson(0.2 + 1.1 * dil)
    routine_house = np.repeat(houses["id"], per_house)
    k, h = len(routine_house), len(hazards["house_id"])
    routine_day = _day(as_of) - rng.integers(0, 240, k).astype("timedelta64[D]")
    house = np.concatenate([routine_house, hazards["house_id"]])
    day = np.concatenate([routine_day, hazards["found_on"]])
    kinds = np.array(["self", "supervision", "special"])
    kind = np.concatenate(
        [rng.choice(3, k, p=[0.8, 0.12, 0.08]), rng.choice(3, h, p=[0.7, 0.15, 0.15])]
    )
    # Who inspected: the village's grid worker (自查), a supervision team (联合督查) or a
    # department (专项检查) — indices into a small vocabulary, cheap at any scale.
    n_units, departments = len(town.units), list(town.departments)
    vocab = np.array(
        [f"{stem(u.name)}网格员" for u in town.units]
        + [f"督导组第{t}组" for t in range(1, 5)]
        + departments
    )
    who = np.where(
        kind == 0,
        houses["unit_id"][house - 1] - 1,
        np.where(
            kind == 1,
            n_units + rng.integers(0, 4, len(house)),
            n_units + 4 + rng.integers(0, len(departments), len(house)),
        ),
    )
    order = np.lexsort((kind, day, house))
    latest = np.full(n + 1, np.iinfo(np.int64).min)
    np.maximum.at(latest, house, day.astype(np.int64))
    last = np.full(n + 1, _NAT)
    seen = latest > np.iinfo(np.int64).min
    last[seen] = latest[seen].astype("datetime64[D]")
    houses["last_inspected_on"] = last[houses["id"]]
    return {
        "id": np.arange(1, len(house) + 1),
        "house_id": house[order],
        "inspected_on": day[order],
        "kind": kinds[kind[order]],
        "inspector": vocab[who[order]],
    }
