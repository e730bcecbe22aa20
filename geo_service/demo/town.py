"""The layout of the synthetic town: units (村、社区 tessellating the outline, and departments),
key areas (重点区域) and schools. Everything here is small (tens of rows) and does not scale.
"""

from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon

from geo_service.demo.frame import blob, block, town_outline, uniform_in

# Communities (社区) with an anchor position (metres from the town seat): the seat itself,
# its eastern extension, the old market town of Daixi to the south-west, a lakeside community.
COMMUNITIES = {
    "洛阳社区": (0.0, 0.0),
    "洛东社区": (1700.0, 300.0),
    "戴溪社区": (-2600.0, -2300.0),
    "湖滨社区": (-1300.0, 2600.0),
}
# Villages named in SPEC §2 (public sources), then a few invented ones.
VILLAGES = (
    "岑村村",
    "汤墅村",
    "马鞍村",
    "朝安村",
    "阳湖村",
    "虞桥村",
    "谈家头村",
    "小留桥村",
    "天井村",
    "友谊村",
    "管城村",
    "东尖村",
    "芦庄村",
    "南塘村",
    "西河村",
    "北渠村",
)
DEPARTMENTS = ("建设局", "自规所", "电力公司", "派出所")

OLD_ESTATES = (("洛阳新村", "洛阳社区"), ("人民新村", "洛阳社区"), ("洛东小区", "洛东社区"),
               ("戴溪新村", "戴溪社区"), ("湖滨一村", "湖滨社区"))  # fmt: skip
RESETTLEMENT = (("阳湖花园", "阳湖村"), ("岑村安置小区", "岑村村"), ("汤墅嘉园", "汤墅村"))
SCHOOLS = (
    ("洛阳中心小学", "洛阳社区"),
    ("洛阳中心幼儿园", "洛阳社区"),
    ("洛阳初级中学", "洛东社区"),
    ("洛阳高级中学", "湖滨社区"),
    ("戴溪小学", "戴溪社区"),
    ("岑村小学", "岑村村"),
    ("汤墅小学", "汤墅村"),
    ("阳湖幼儿园", "阳湖村"),
)


def stem(unit_name: str) -> str:
    """洛阳社区 → 洛阳, 谈家头村 → 谈家头."""
    for suffix in ("社区", "村"):
        if unit_name.endswith(suffix):
            return unit_name[: -len(suffix)]
    return unit_name


@dataclass
class UnitRow:
    id: int
    name: str
    kind: str
    cx: float = 0.0  # the village centre (its Voronoi seed), metres
    cy: float = 0.0
    geom: MultiPolygon | None = None  # local frame; None for departments
    flags: tuple[bool, bool, bool, bool] | None = None  # task list, plan, meetings, accountability
    weight: float = 1.0  # share of the town's rental houses
    diligence: float = 1.0  # how well the village keeps the rules (0..1)
    spread_m: float = 500.0  # how far its houses scatter from the centre


@dataclass
class Town:
    outline: Polygon
    units: list[UnitRow]  # villages and communities, ids 1..n
    departments: dict[str, int]  # department name → unit id
    key_areas: list[tuple[int, str, str, MultiPolygon]] = field(default_factory=list)
    schools: list[tuple[int, str, float, float]] = field(default_factory=list)
    hot_units: tuple[int, ...] = ()  # ids of the hazard hot-spot villages

    def unit(self, name: str) -> UnitRow:
        return next(u for u in self.units if u.name == name)


def _multi(geom) -> MultiPolygon:
    """Polygonal part of `geom` as a MultiPolygon (clipping may leave lines or points)."""
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon) and g.area > 1.0]
    return MultiPolygon(parts)


def _village_seeds(rng: np.random.Generator, outline: Polygon, anchors: np.ndarray, n: int):
    """`n` village centres spread over the town: farthest-point sampling of random candidates."""
    inner = affinity.scale(outline, 0.88, 0.88, origin=(0, 0))
    cand = np.column_stack(uniform_in(rng, inner, 3000))
    chosen = list(anchors)
    d = np.min(np.linalg.norm(cand[:, None, :] - anchors[None, :, :], axis=2), axis=1)
    for _ in range(n):
        i = int(np.argmax(d))
        chosen.append(cand[i])
        d = np.minimum(d, np.linalg.norm(cand - cand[i], axis=1))
    return np.array(chosen[len(anchors) :])


def build_town(rng: np.random.Generator) -> Town:
    """Lay out the town: ~20 units tessellating the outline, departments, key areas, schools."""
    outline = town_outline()
    anchors = np.array(list(COMMUNITIES.values())) + rng.normal(0, 150, (len(COMMUNITIES), 2))
    seeds = np.vstack([anchors, _village_seeds(rng, outline, anchors, len(VILLAGES))])
    # Ids follow the fixed order of names (洛阳社区 is always 1) so that rows elsewhere that
    # point at a unit, such as a village user's account, survive a reload with another seed;
    # the seed only decides where each village lies.
    order = list(COMMUNITIES) + list(VILLAGES)
    names = list(COMMUNITIES) + list(rng.permutation(VILLAGES))
    cells = shapely.voronoi_polygons(
        MultiPoint(seeds), extend_to=outline.buffer(2000), ordered=True
    )
    units: list[UnitRow] = []
    for i, (name, cell) in enumerate(zip(names, shapely.get_parts(cells), strict=True)):
        community = name.endswith("社区")
        units.append(
            UnitRow(
                id=order.index(name) + 1,
                name=str(name),
                kind="community" if community else "village",
                cx=float(seeds[i, 0]),
                cy=float(seeds[i, 1]),
                geom=_multi(cell.intersection(outline)),
                weight=float(rng.uniform(1.8, 2.6) if community else rng.uniform(0.6, 1.4)),
                diligence=float(rng.uniform(0.8, 1.0) if community else rng.uniform(0.55, 1.0)),
                spread_m=float(rng.uniform(350, 500) if community else rng.uniform(450, 750)),
            )
        )
    units.sort(key=lambda u: u.id)
    _responsibility_flags(rng, units)
    departments = {name: len(units) + j + 1 for j, name in enumerate(DEPARTMENTS)}
    villages = [u for u in units if u.kind == "village"]
    hot = tuple(int(u.id) for u in rng.choice(np.array(villages, dtype=object), 3, replace=False))
    town = Town(outline, units, departments, hot_units=hot)
    _key_areas(rng, town)
    _schools(rng, town)
    return town


def _responsibility_flags(rng: np.random.Generator, units: list[UnitRow]) -> None:
    """Mostly true; a few units lack a task list or an annual plan (so the rubric bites)."""
    n = len(units)
    flags = rng.random((n, 4)) > np.array([0.05, 0.05, 0.12, 0.2])
    # Guarantee a few of each kind of failure regardless of the seed's luck.
    flags[rng.choice(np.arange(4, n), 2, replace=False), 0] = False
    flags[rng.choice(np.arange(4, n), 2, replace=False), 1] = False
    for u, f in zip(units, flags, strict=True):
        u.flags = tuple(bool(v) for v in f)


def _near(rng, u: UnitRow, lo: float, hi: float) -> tuple[float, float]:
    """A point `lo`..`hi` metres from the unit's centre in a random direction."""
    a, r = rng.uniform(0, 2 * np.pi), rng.uniform(lo, hi)
    return u.cx + r * np.cos(a), u.cy + r * np.sin(a)


def _key_areas(rng: np.random.Generator, town: Town) -> None:
    """城中村, 老旧小区, 拆迁安置小区, 农村自建房 polygons (校园周边 is buffered in PostGIS)."""
    areas: list[tuple[str, str, Polygon]] = []
    seat = town.unit("洛阳社区")
    # 城中村: old village cores swallowed by the seat and its neighbours.
    central = sorted(town.units, key=lambda u: np.hypot(u.cx - seat.cx, u.cy - seat.cy))[:4]
    for u in [*central[:3], next(x for x in central if x.kind == "village")]:
        name = f"{stem(u.name)}城中村"
        if any(a[1] == name for a in areas):
            continue
        areas.append(("urban_village", name, blob(rng, *_near(rng, u, 250, 550), 420)))
    for name, host in OLD_ESTATES:
        x, y = _near(rng, town.unit(host), 150, 450)
        areas.append(("old_estate", name, block(rng, x, y, rng.uniform(280, 380), 220)))
    for name, host in RESETTLEMENT:
        x, y = _near(rng, town.unit(host), 200, 500)
        areas.append(("resettlement_estate", name, block(rng, x, y, 420, rng.uniform(260, 340))))
    villages = [u for u in town.units if u.kind == "village"]
    for j in rng.choice(len(villages), 7, replace=False):
        u = villages[j]
        patch = blob(rng, *_near(rng, u, 0, 250), rng.uniform(450, 700))
        areas.append(("rural_self_built", f"{u.name}自建房片区", patch))
    town.key_areas = [
        (i + 1, kind, name, _multi(poly.intersection(town.outline)))
        for i, (kind, name, poly) in enumerate(areas)
    ]


def _schools(rng: np.random.Generator, town: Town) -> None:
    rows = []
    for i, (name, host) in enumerate(SCHOOLS):
        u = town.unit(host)
        x, y = _near(rng, u, 200, 450)
        if not town.outline.contains(Point(x, y)):
            x, y = u.cx, u.cy
        rows.append((i + 1, name, float(x), float(y)))
    town.schools = rows
