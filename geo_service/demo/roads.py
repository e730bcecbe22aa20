"""The road network of the synthetic town, noded so that it can be routed on.

Roads are drawn as whole named streets (trunk roads across the town, a grid in the town seat,
two crossing streets in every village, and links between neighbouring villages along the
Delaunay triangulation of the village centres), then noded with one GEOS union: every piece
ends exactly where it meets another, so segments share endpoints bit for bit. Only the largest
connected piece of the network is kept. One-way streets (`oneway` = 1, along the digitised
direction) are chosen between two-way crossings so the directed graph stays strongly connected.
"""

from dataclasses import dataclass

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import Delaunay
from shapely.geometry import LineString

from geo_service.demo.town import Town, UnitRow, stem

SPEED_KMH = {"trunk": 60.0, "primary": 50.0, "secondary": 40.0, "local": 30.0}
_RANK = {"trunk": 0, "primary": 1, "secondary": 2, "local": 3}


@dataclass
class RoadNet:
    """Noded road segments (local frame) and, per street name, an axis to number doors along."""

    geoms: np.ndarray  # LineStrings
    names: np.ndarray  # str
    classes: np.ndarray  # str
    oneway: np.ndarray  # int 0/1
    street: np.ndarray  # index into street_names, per segment
    street_names: list[str]
    street_origin: np.ndarray  # (k, 2) a point on the street's axis
    street_dir: np.ndarray  # (k, 2) unit vector along the street


def _line(*pts) -> LineString:
    return LineString(np.asarray(pts, dtype=float))


def _cross_streets(rng: np.random.Generator, u: UnitRow) -> list[tuple[str, str, int, LineString]]:
    """Two streets crossing at the village centre and a parallel third one."""
    a = rng.uniform(0, np.pi)
    d = np.array([np.cos(a), np.sin(a)])
    n = np.array([-d[1], d[0]])
    c = np.array([u.cx, u.cy])
    s = stem(u.name)
    half = u.spread_m * 1.4
    return [
        (f"{s}大街", "local", 0, _line(c - d * half, c + d * half)),
        (f"{s}中路", "local", 0, _line(c - n * half * 0.8, c + n * half * 0.8)),
        (f"{s}新路", "local", 0, _line(c + n * 300 - d * half * 0.7, c + n * 300 + d * half * 0.7)),
    ]


def _seat_grid(seat: UnitRow) -> list[tuple[str, str, int, LineString]]:
    """The town seat's street grid; the one-way streets span exactly between two-way streets."""
    x, y = seat.cx, seat.cy
    return [
        ("人民路", "primary", 0, _line((x, y - 900), (x, y + 900))),
        ("新华路", "local", 0, _line((x - 450, y - 800), (x - 450, y + 800))),
        ("建设路", "local", 0, _line((x + 450, y - 800), (x + 450, y + 800))),
        ("中山路", "local", 0, _line((x - 800, y - 250), (x + 800, y - 250))),
        ("府前街", "local", 1, _line((x - 450, y + 200), (x + 450, y + 200))),
        ("文化路", "local", 1, _line((x + 450, y + 550), (x - 450, y + 550))),
    ]


def _trunks(town: Town) -> list[tuple[str, str, int, LineString]]:
    seat = town.unit("洛阳社区")
    xs = np.linspace(-5600, 5600, 15)
    east_west = _line(*np.column_stack([xs, seat.cy - 420 + 180 * np.sin(xs / 1700)]))
    ys = np.linspace(-5600, 5600, 15)
    north_south = _line(*np.column_stack([seat.cx + 900 + 220 * np.sin(ys / 2100), ys]))
    theta = np.linspace(0, 2 * np.pi, 48)
    ring = _line(*np.column_stack([2700 * np.cos(theta), 2500 * np.sin(theta)]))
    return [
        ("洛阳大道", "trunk", 0, east_west),
        ("武港大道", "trunk", 0, north_south),
        ("环镇路", "primary", 0, ring),
    ]


def _links(town: Town) -> list[tuple[str, str, int, LineString]]:
    """Secondary roads between neighbouring village centres (Delaunay edges inside the town)."""
    pts = np.array([[u.cx, u.cy] for u in town.units])
    tri = Delaunay(pts)
    edges = {tuple(sorted((s[i], s[(i + 1) % 3]))) for s in tri.simplices for i in range(3)}
    out = []
    for i, j in sorted(edges):
        line = _line(pts[i], pts[j])
        if line.length < 4200 and town.outline.contains(line):
            a, b = town.units[i], town.units[j]
            out.append((f"{stem(a.name)}{stem(b.name)}路", "secondary", 0, line))
    return out


def build_roads(rng: np.random.Generator, town: Town) -> RoadNet:
    """Draw, clip, node and attribute the network; keep its largest connected component."""
    seat = town.unit("洛阳社区")
    drawn = _trunks(town) + _seat_grid(seat) + _links(town)
    for u in town.units:
        if u is not seat:
            drawn += _cross_streets(rng, u)
    src_name, src_class, src_oneway, src_geom = [], [], [], []
    for name, cls, oneway, line in drawn:
        for part in shapely.get_parts(line.intersection(town.outline)):
            if isinstance(part, LineString) and part.length > 1:
                src_name.append(name)
                src_class.append(cls)
                src_oneway.append(oneway)
                src_geom.append(part)
    src = np.array(src_geom, dtype=object)
    segs = shapely.get_parts(shapely.union_all(src))
    segs = segs[shapely.get_type_id(segs) == 1]
    # Attribute each noded piece to the source street it lies on (highest class on overlaps).
    mid = shapely.line_interpolate_point(segs, 0.5, normalized=True)
    seg_i, src_i = shapely.STRtree(src).query(mid, predicate="dwithin", distance=0.01)
    rank = np.array([_RANK[c] for c in src_class])[src_i]
    order = np.lexsort((src_i, rank, seg_i))
    seg_i, src_i = seg_i[order], src_i[order]
    first = np.r_[True, seg_i[1:] != seg_i[:-1]]
    owner = np.full(len(segs), -1)
    owner[seg_i[first]] = src_i[first]
    keep = owner >= 0
    segs, owner = segs[keep], owner[keep]
    # Digitise every piece in its street's direction (one-way streets depend on it).
    s0 = shapely.line_locate_point(src[owner], shapely.get_point(segs, 0))
    s1 = shapely.line_locate_point(src[owner], shapely.get_point(segs, -1))
    segs = np.where(s0 > s1, shapely.reverse(segs), segs)
    main = _largest_component(segs)
    return _with_streets(segs[main], owner[main], src_name, src_class, src_oneway, src)


def _largest_component(segs: np.ndarray) -> np.ndarray:
    """Mask of the segments in the largest connected piece (nodes = exactly equal endpoints)."""
    ends = np.vstack(
        [shapely.get_coordinates(shapely.get_point(segs, 0)),
         shapely.get_coordinates(shapely.get_point(segs, -1))]
    )  # fmt: skip
    _, node = np.unique(ends, axis=0, return_inverse=True)
    node = node.ravel()
    m = len(segs)
    graph = coo_matrix((np.ones(m), (node[:m], node[m:])), shape=(node.max() + 1,) * 2)
    _, label = connected_components(graph, directed=False)
    seg_label = label[node[:m]]
    return seg_label == np.bincount(seg_label).argmax()


def _with_streets(segs, owner, src_name, src_class, src_oneway, src) -> RoadNet:
    """Attach attributes and, per street name, the axis its house numbers run along."""
    names = np.array(src_name, dtype=object)[owner]
    street_names, street = np.unique(names.astype(str), return_inverse=True)
    origin = np.zeros((len(street_names), 2))
    direction = np.zeros((len(street_names), 2))
    for k, name in enumerate(street_names):
        # The longest drawn piece of the street gives its axis (streets are nearly straight).
        parts = [g for g, n in zip(src, src_name, strict=True) if n == name]
        longest = max(parts, key=lambda g: g.length)
        a, b = shapely.get_coordinates(longest)[[0, -1]]
        origin[k] = a
        direction[k] = (b - a) / max(np.hypot(*(b - a)), 1e-9)
    return RoadNet(
        geoms=segs,
        names=names.astype(str),
        classes=np.array(src_class, dtype=object)[owner].astype(str),
        oneway=np.array(src_oneway, dtype=np.int16)[owner],
        street=street,
        street_names=[str(n) for n in street_names],
        street_origin=origin,
        street_dir=direction,
    )
