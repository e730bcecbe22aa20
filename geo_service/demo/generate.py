"""Generate every table of the demo town in memory, deterministically.

Each part draws from its own random stream (seed, part), so the town's layout does not change
with the scale and the same seed, scale and as-of date always give identical rows.
"""

from dataclasses import dataclass
from datetime import date

import numpy as np
import shapely

from geo_service.demo.frame import points_ewkb_hex, to_lonlat, to_lonlat_xy
from geo_service.demo.hazards import build_hazards
from geo_service.demo.history import build_history
from geo_service.demo.houses import build_houses
from geo_service.demo.incidents import build_incidents
from geo_service.demo.places import build_places
from geo_service.demo.roads import SPEED_KMH, build_roads
from geo_service.demo.town import Town, build_town
from geo_service.domain.rules import RuleParams

# Rows at scale 1 (the Luoyang-sized town); `scale` multiplies them.
BASE_COUNTS = {"houses": 3000, "hazards": 4000, "incidents": 1500, "other_addresses": 900}
_PARTS = ("town", "roads", "places", "houses", "hazards", "inspections", "incidents")


@dataclass
class DemoData:
    town: Town
    tables: dict[str, dict]  # table → column → values, in load order (foreign keys first)


def _ewkb(geoms) -> np.ndarray:
    """Hex EWKB (SRID 4326) of local-frame geometries: exact, and fast for COPY to parse."""
    return shapely.to_wkb(to_lonlat(np.asarray(geoms, dtype=object)), hex=True, include_srid=True)


def _points_ewkb(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return points_ewkb_hex(*to_lonlat_xy(x, y))


def _last_inspected(house_ids: np.ndarray, inspections: dict) -> np.ndarray:
    """Each house's latest inspection day (NaT if none)."""
    last = np.full(len(house_ids) + 1, np.datetime64("NaT", "D"))
    day = inspections["inspected_on"]
    order = np.argsort(day, kind="stable")  # later days overwrite earlier ones
    last[inspections["house_id"][order]] = day[order]
    return last[house_ids]


def generate(seed: int, scale: float, as_of: date, p: RuleParams) -> DemoData:
    """All rows of the demo town for `seed`, `scale` and `as_of` (see `geo_service.demo`)."""
    rng = {part: np.random.default_rng([seed, i]) for i, part in enumerate(_PARTS)}
    n = {k: max(1, round(v * scale)) for k, v in BASE_COUNTS.items()}
    town = build_town(rng["town"])
    roads = build_roads(rng["roads"], town)
    places = build_places(rng["places"], town, roads, n["houses"], n["other_addresses"])
    houses = build_houses(rng["houses"], town, places, p)
    houses["geom"] = _points_ewkb(places.x[places.is_house], places.y[places.is_house])
    history = build_history(rng["inspections"], town, places, houses, n["hazards"], as_of, p)
    hazards = build_hazards(rng["hazards"], town, houses, history, as_of, p)
    inspections = history.inspections
    houses["last_inspected_on"] = _last_inspected(houses["id"], inspections)
    incidents = build_incidents(rng["incidents"], places, n["incidents"], as_of)
    incidents["geom"] = _points_ewkb(incidents.pop("x"), incidents.pop("y"))

    units = town.units
    dept_names = list(town.departments)
    unit_rows = {
        "id": [u.id for u in units] + list(town.departments.values()),
        "name": [u.name for u in units] + dept_names,
        "kind": [u.kind for u in units] + ["department"] * len(dept_names),
        **{
            col: [u.flags[k] for u in units] + [None] * len(dept_names)
            for k, col in enumerate(
                ("has_task_list", "has_annual_plan", "holds_meetings", "accountability_evaluated")
            )
        },
        "geom": list(_ewkb([u.geom for u in units])) + [None] * len(dept_names),
    }
    schools = {
        "id": [s[0] for s in town.schools],
        "name": [s[1] for s in town.schools],
        "geom": _points_ewkb(
            np.array([s[2] for s in town.schools]), np.array([s[3] for s in town.schools])
        ),
    }
    key_areas = {
        "id": [a[0] for a in town.key_areas],
        "kind": [a[1] for a in town.key_areas],
        "name": [a[2] for a in town.key_areas],
        "geom": _ewkb([a[3] for a in town.key_areas]),
    }
    road_rows = {
        "id": np.arange(1, len(roads.geoms) + 1),
        "name": roads.names,
        "road_class": roads.classes,
        "oneway": roads.oneway,
        "speed_kmh": np.array([SPEED_KMH[c] for c in roads.classes]),
        "geom": _ewkb(roads.geoms),
    }
    addresses = {
        "id": np.arange(1, len(places.x) + 1),
        "full_address": places.full_address,
        "normalized": places.normalized,
        "unit_id": places.unit + 1,
        "geom": _points_ewkb(places.x, places.y),
    }
    tables = {
        "units": unit_rows,
        "schools": schools,
        "key_areas": key_areas,
        "roads": road_rows,
        "addresses": addresses,
        "houses": houses,
        "inspections": inspections,
        "hazards": hazards,
        "incidents": incidents,
    }
    return DemoData(town, tables)
