"""Rental houses (群租房) with plausible counts and compliance, vectorised.

Each village has a `diligence` (0..1): diligent villages register more houses and tenants,
get more pledges signed and more CCTV installed, so the 附件2 rates and the 附件1 scores differ
between villages the way they would in a real campaign. Houses in urban villages and old
estates are bigger and more crowded.
"""

import numpy as np
import pandas as pd

from geo_service.demo import people
from geo_service.demo.places import Places
from geo_service.demo.town import Town
from geo_service.domain.rules import RuleParams


def _maybe_null(rng, values: np.ndarray, p_null: float) -> pd.Series:
    """A nullable boolean column: `values`, with a share `p_null` unknown (not yet checked)."""
    return pd.Series(pd.array(values, dtype="boolean")).mask(rng.random(len(values)) < p_null)


def build_houses(rng: np.random.Generator, town: Town, places: Places, p: RuleParams) -> dict:
    """Columns of the `houses` table (without `last_inspected_on`, set after inspections)."""
    idx = np.flatnonzero(places.is_house)
    n = len(idx)
    unit = places.unit[idx]
    dil = np.array([u.diligence for u in town.units])[unit]
    is_village = np.array([u.kind == "village" for u in town.units])[unit]
    dense = (places.in_kind["urban_village"] | places.in_kind["old_estate"])[idx]
    self_built_area = places.in_kind["rural_self_built"][idx]

    # Counts: most group-rental houses have 3–8 rooms; about one in ten is a big one.
    big = rng.random(n) < np.where(dense, 0.16, 0.07)
    rooms = np.where(
        big,
        10 + rng.geometric(0.12, n) - 1,
        2 + rng.poisson(np.where(dense, 5.0, 3.2)),
    ).clip(1, 60)
    beds = rooms + rng.binomial(rooms, np.where(dense, 0.55, 0.35))
    tenants = rng.binomial(beds, 0.85) + np.where(rng.random(n) < 0.05, rng.poisson(3, n), 0)
    fully = rng.random(n) < 0.25 + 0.7 * dil
    registered_tenants = np.where(fully, tenants, rng.binomial(tenants, 0.6 + 0.35 * dil))

    second = rng.random(n) < np.where(dense, 0.24, 0.12)
    second_name = pd.Series(people.names(rng, n)).where(second)
    second_reg = _maybe_null(rng, rng.random(n) < 0.45 + 0.5 * dil, 0).where(second)

    required = (
        (rooms >= p.cctv_min_rooms) | (beds >= p.cctv_min_beds) | (tenants >= p.cctv_min_tenants)
    )
    cctv = np.where(required, rng.random(n) < 0.55 + 0.4 * dil, rng.random(n) < 0.15)
    retention = np.where(
        rng.random(n) < 0.22, rng.choice([3, 7, 15, 20], n), rng.choice([30, 30, 45, 60, 90], n)
    )
    retention = pd.Series(pd.array(retention, dtype="Int64")).where(cctv)

    tenants_f = tenants.astype(float)
    kwh = 40 + tenants_f * rng.gamma(4.0, 14.0, n)
    # Hidden occupancy: electricity far above what the registered tenants explain.
    kwh = np.where(rng.random(n) < 0.03, kwh * rng.uniform(2, 3.5, n), kwh)

    return {
        "id": np.arange(1, n + 1),
        "house_code": natural_keys("LY-", n),
        "unit_id": unit + 1,
        "address": places.full_address[idx],
        "landlord_name": people.names(rng, n),
        "landlord_id_number": people.id_numbers(rng, n),
        "landlord_phone": people.phones(rng, n),
        "second_landlord_name": second_name,
        "second_landlord_registered": second_reg,
        "rooms": rooms,
        "beds": beds,
        "tenants": tenants,
        "registered_tenants": registered_tenants,
        "is_registered": rng.random(n) < 0.88 + 0.115 * dil,
        "pledge_signed": rng.random(n) < 0.72 + 0.27 * dil,
        "cctv_installed": cctv,
        "cctv_retention_days": retention,
        "is_self_built": rng.random(n)
        < np.where(self_built_area, 0.9, np.where(is_village, 0.45, 0.08)),
        "has_smoke_masks": _maybe_null(rng, rng.random(n) < 0.7 + 0.28 * dil, 0.03),
        "has_torches": _maybe_null(rng, rng.random(n) < 0.75 + 0.24 * dil, 0.03),
        "has_extinguishers": _maybe_null(rng, rng.random(n) < 0.78 + 0.21 * dil, 0.03),
        "electricity_kwh_month": np.round(kwh, 1),
        "geocode_method": np.full(n, "given"),
        "geocode_confidence": np.ones(n),
    }


def natural_keys(prefix: str, n: int, start: int = 1) -> np.ndarray:
    """Natural keys like LY-0001: at least four digits, wider when there are more rows."""
    width = max(4, len(str(start + n - 1)))
    return np.strings.add(prefix, np.strings.zfill(np.arange(start, start + n).astype(str), width))
