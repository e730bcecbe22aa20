"""The synthetic demo town: a deterministic generator placed on the real extent of Luoyang Town
(洛阳镇, Wujin District, Changzhou; around 31.70° N, 120.07° E, about 10 × 10 km).

Everything in it is invented and labelled so (meta key ``dataset``: ``{"synthetic": true,
"seed", "scale", "as_of", "town": "洛阳镇（合成演示）", "counts", "loaded_at"}``). The same seed,
scale and as-of date always produce identical rows. At scale 1:

- 20 villages and communities (村、社区) tessellating the town outline — the names of SPEC §2
  plus a few invented ones — and 4 departments (建设局, 自规所, 电力公司, 派出所, no geometry);
- key areas of all five kinds (校园周边 = a buffer around each of 8 schools, computed in
  PostGIS); a noded road network (trunk/primary/secondary/local, a few one-way streets);
- ~3,000 rental houses, ~4,000 hazards over every category, ~1,500 incidents (警情),
  ~3,900 standard addresses, and inspections. ``scale`` multiplies these; the town's layout,
  roads and units stay the same.

Address grammar (标准地址), one rule, no exceptions::

    full_address = "洛阳镇" + 单位名称 + 道路名称 + 门牌号 + "号"
    normalized   = full_address without the leading "洛阳镇"

e.g. ``洛阳镇戴溪社区戴溪大街12号`` / ``戴溪社区戴溪大街12号``. 单位名称 is the name of the unit
containing the door (a village or community, ending in 村 or 社区); 道路名称 is the nearest road
(ending in 路, 街 or 大道); 门牌号 is a positive integer, odd on the left of the road and even on
the right in the road's direction, counted per unit and road, so each ``normalized`` is
unique. A house's ``address`` equals its standard ``full_address``; about a quarter of the
standard addresses (30 % more than the houses) have no house. Incidents carry the address of
the door they happened at.

Load with ``geo-service demo load`` or :func:`load_demo`.
"""

from geo_service.demo.loader import DEFAULT_SEED, TOWN_LABEL, LoadResult, load_demo

__all__ = ["DEFAULT_SEED", "TOWN_LABEL", "LoadResult", "load_demo"]
