"""Where things are: points for rental houses and other doors, and their standard addresses.

Houses cluster around village centres and are densest in urban villages (城中村) and old
estates (老旧小区); other doors (addresses without a rental house) spread more evenly. Each
point takes the unit that contains it and a door number on the nearest street (see the
address grammar in `geo_service.demo`).
"""

from dataclasses import dataclass

import numpy as np
import shapely
from scipy.spatial import cKDTree

from geo_service.demo.frame import uniform_in
from geo_service.demo.roads import RoadNet
from geo_service.demo.town import Town

TOWN_PREFIX = "洛阳镇"
# Share of rental houses by where they stand; the rest cluster around village centres.
_HOUSE_MIX = {"dense_areas": 0.30, "self_built_areas": 0.08, "anywhere": 0.07}
_DENSE_WEIGHT = {"urban_village": 1.0, "old_estate": 0.45, "resettlement_estate": 0.45}


@dataclass
class Places:
    """Door points (local frame) sorted by unit, street and number; houses are `is_house`."""

    x: np.ndarray
    y: np.ndarray
    unit: np.ndarray  # index into town.units
    is_house: np.ndarray
    full_address: np.ndarray
    normalized: np.ndarray
    in_kind: dict[str, np.ndarray]  # key-area kind → point lies in an area of that kind


def _around_centres(rng, town: Town, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters around unit centres, weighted by each unit's share of houses."""
    w = np.array([u.weight for u in town.units])
    pick = rng.choice(len(town.units), n, p=w / w.sum())
    cx = np.array([u.cx for u in town.units])[pick]
    cy = np.array([u.cy for u in town.units])[pick]
    sd = np.array([u.spread_m for u in town.units])[pick]
    return cx + rng.normal(0, 1, n) * sd, cy + rng.normal(0, 1, n) * sd


def _in_areas(rng, town: Town, n: int, weights: dict[str, float]):
    areas = [(g, weights[k]) for _, k, _, g in town.key_areas if k in weights]
    w = np.array([wt for _, wt in areas])
    counts = rng.multinomial(n, w / w.sum())
    pts = [uniform_in(rng, g, int(c)) for (g, _), c in zip(areas, counts, strict=True) if c]
    return np.concatenate([p[0] for p in pts]), np.concatenate([p[1] for p in pts])


def _house_points(rng, town: Town, n: int):
    k = rng.multinomial(n, [*_HOUSE_MIX.values(), 1 - sum(_HOUSE_MIX.values())])
    parts = [
        _in_areas(rng, town, int(k[0]), _DENSE_WEIGHT),
        _in_areas(rng, town, int(k[1]), {"rural_self_built": 1.0}),
        uniform_in(rng, town.outline, int(k[2])),
        _around_centres(rng, town, int(k[3])),
    ]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _other_points(rng, town: Town, n: int):
    m = int(n * 0.6)
    a, b = _around_centres(rng, town, m), uniform_in(rng, town.outline, n - m)
    return np.concatenate([a[0], b[0]]), np.concatenate([a[1], b[1]])


def _unit_of(town: Town, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Index of the unit containing each point; -1 outside the town."""
    unit = np.full(len(x), -1)
    for i, u in enumerate(town.units):
        shapely.prepare(u.geom)
        unit[(unit < 0) & shapely.contains_xy(u.geom, x, y)] = i
    return unit


def build_places(rng, town: Town, roads: RoadNet, n_houses: int, n_other: int) -> Places:
    """`n_houses` rental-house doors and `n_other` other doors, with standard addresses."""
    hx, hy = _house_points(rng, town, n_houses)
    ox, oy = _other_points(rng, town, n_other)
    x, y = np.concatenate([hx, ox]), np.concatenate([hy, oy])
    is_house = np.arange(len(x)) < n_houses
    unit = _unit_of(town, x, y)
    # Gaussian tails can fall beyond the outline: move those doors next to the nearest unit
    # centre (a centre lies inside its own unit, so at worst the door sits on it).
    out = unit < 0
    if out.any():
        cx = np.array([u.cx for u in town.units])
        cy = np.array([u.cy for u in town.units])
        near = np.argmin((x[out, None] - cx) ** 2 + (y[out, None] - cy) ** 2, axis=1)
        x[out] = cx[near] + rng.normal(0, 30, out.sum())
        y[out] = cy[near] + rng.normal(0, 30, out.sum())
        unit = _unit_of(town, x, y)
        still = unit < 0
        x[still], y[still] = cx[near[still[out]]], cy[near[still[out]]]
        unit = _unit_of(town, x, y)
    street, number = _door_numbers(roads, unit, x, y)
    order = np.lexsort((number, street, unit))
    x, y, unit, is_house = x[order], y[order], unit[order], is_house[order]
    street, number = street[order], number[order]
    unit_names = np.array([u.name for u in town.units])
    normalized = np.strings.add(
        np.strings.add(unit_names[unit], np.array(roads.street_names)[street]),
        np.strings.add(number.astype(str), "号"),
    )
    in_kind = {}
    for _, kind, _, g in town.key_areas:
        hit = shapely.contains_xy(g, x, y)
        in_kind[kind] = in_kind.get(kind, np.zeros(len(x), bool)) | hit
    full = np.strings.add(TOWN_PREFIX, normalized)
    return Places(x, y, unit, is_house, full, normalized, in_kind)


def _door_numbers(roads: RoadNet, unit, x, y) -> tuple[np.ndarray, np.ndarray]:
    """Nearest street per point, and door numbers along it: odd on the left, even on the right,
    counted per unit and street in the street's direction (so every address is unique)."""
    # Nearest street by the nearest of points every 15 m along the roads: a k-d tree answers
    # hundreds of thousands of doors in a fraction of a second, exact to a few metres.
    coords, seg_of = shapely.get_coordinates(
        shapely.segmentize(roads.geoms, 15.0), return_index=True
    )
    _, nearest = cKDTree(coords).query(np.column_stack([x, y]))
    seg = seg_of[nearest]
    street = roads.street[seg]
    rel = np.column_stack([x, y]) - roads.street_origin[street]
    d = roads.street_dir[street]
    along = rel[:, 0] * d[:, 0] + rel[:, 1] * d[:, 1]
    right = (d[:, 0] * rel[:, 1] - d[:, 1] * rel[:, 0]) < 0
    order = np.lexsort((along, right, street, unit))
    key = np.column_stack([unit, street, right])[order]
    new_group = np.r_[True, np.any(key[1:] != key[:-1], axis=1)]
    start = np.maximum.accumulate(np.where(new_group, np.arange(len(order)), 0))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order)) - start
    number = 2 * rank + np.where(right, 2, 1)
    return street, number
