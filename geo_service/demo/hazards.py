"""Hazards (安全隐患) over every category with their lifecycle, vectorised: the ones the
inspection history found (geo_service.demo.history), on the day of the inspection that found
them.

Hazards cluster where the history finds them: hot-spot villages, two spatial hot spots, crowded
houses, careless villages. Dates run over the 12 months before the as-of date; the database
derives each deadline by the rules in force (`hazard_due()`); some hazards are overdue, some
rectified late, some posted on the wall but never entered in the system (so not 'transferred').
"""

from datetime import date

import numpy as np
import pandas as pd

from geo_service.demo.history import History
from geo_service.demo.houses import natural_keys
from geo_service.demo.town import Town
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


def _categories(rng, house: np.ndarray, houses: dict, p: RuleParams) -> np.ndarray:
    """A category for each hazard at `house` (0-based): the town's shares, steered to the houses
    each category plausibly belongs to; every category at least once."""
    ones = np.ones(len(houses["id"]))
    codes = [c.code for c in HAZARD_CATEGORIES]
    steer = np.stack([_category_weight(code, ones, houses, p) for code in codes], axis=1)
    steer /= np.maximum(steer.mean(axis=0), 1e-12)
    w = np.array([SHARES[c] for c in codes]) * steer[house]
    cum = np.cumsum(w, axis=1)
    cat = (cum < rng.random(len(house))[:, None] * cum[:, -1:]).sum(axis=1)
    for k in np.setdiff1d(np.arange(len(codes)), cat):  # a category nobody drew: one hazard
        fit = np.flatnonzero(steer[house, k] > 0)
        cat[rng.choice(fit if len(fit) else np.arange(len(house)))] = k
    return cat


def build_hazards(
    rng: np.random.Generator,
    town: Town,
    houses: dict,
    history: History,
    as_of: date,
    p: RuleParams,
) -> dict:
    """Columns of the `hazards` table: the hazards the inspections of `history` found, on the
    day and linked to the inspection that found them."""
    codes = [c.code for c in HAZARD_CATEGORIES]
    order = np.lexsort((history.found_house, history.found_on))  # codes in order of discovery
    house = history.found_house[order]
    found = history.found_on[order]
    inspection = history.found_inspection[order]
    cat = _categories(rng, house, houses, p)
    m = len(house)
    today = _day(as_of)
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
        "inspection_id": inspection,
    }
