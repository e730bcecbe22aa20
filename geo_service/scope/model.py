"""The scope of a question: which houses, hazards and incidents, as they stood on which day.

One typed value for every surface (map, exports, OGC, tiles, density, analytics, CLI, patrol
targets): `parse.parse_scope` makes it from a query string or CLI options, `sql.ScopeSql`
turns it into SQL conditions. docs/filters.md is the table of the filters and their meaning.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from geo_service import bounds
from geo_service.clock import town_tz

Bbox = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat (WGS84)
UnitRef = int | str  # a unit's id, or its name (resolved to the id against the database)

# 隐患状态 on the as-of day, mutually exclusive: open = 未整改且未逾期.
STATUS_ZH = {"open": "在期未整改", "overdue": "逾期未整改", "rectified": "已整改"}
STATUSES = tuple(STATUS_ZH)
# Dates outside this range are mistakes (a year typed wrong), never a question to answer.
FIRST_DAY, LAST_DAY = bounds.MIN_DATE, bounds.MAX_DATE


@dataclass(frozen=True)
class Scope:
    """What a question looks at. Empty tuples and None mean "no filter".

    - `as_of`: the day (D); hazards found after D do not exist yet, a rectification after D
      has not happened yet, the status is the one of D.
    - `units`: 村/社区 (ids, or names until resolved): houses of those units, their hazards,
      incidents recorded under them, key areas touching them.
    - `key_area_kinds`: houses inside a 重点区域 of such a kind; `rural_self_built` also counts
      houses flagged 农村自建房 wherever they stand (SPEC §2: area or building flag).
    - `categories`, `category_groups`, `severities`, `statuses`, `departments`,
      `found_from`/`found_to`: which hazards (隐患类别, 大类, 等级, 状态 on D, 责任部门,
      发现日期).
    - `incident_types`: which incidents (警情类别); given as `category` like hazard categories,
      the two vocabularies are disjoint.
    - `date_from`/`date_to`: the record's own date (a hazard's discovery, an incident's time);
      a `datetime` instant bounds it exactly.
    - `period_from`/`period_to`: the inspection period of the 排查率 (analytics).
    - `bbox`: the record's point (a hazard's is its house's) inside the box.
    - `given`: the query keys present; `others`: the parameters that are no filter of the
      scope (a layer's own queryables, paging, …), as given; `tz`: the town's time zone, in
      which dates are days.
    """

    as_of: date
    units: tuple[UnitRef, ...] = ()
    key_area_kinds: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    category_groups: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    departments: tuple[UnitRef, ...] = ()
    incident_types: tuple[str, ...] = ()
    found_from: date | None = None
    found_to: date | None = None
    date_from: date | datetime | None = None
    date_to: date | datetime | None = None
    period_from: date | None = None
    period_to: date | None = None
    bbox: Bbox | None = None
    given: frozenset[str] = frozenset()
    others: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    tz: ZoneInfo = field(default_factory=town_tz, repr=False)

    @property
    def period(self) -> tuple[date, date]:
        """The inspection period: by default the calendar month of D up to D; never after D."""
        start = self.period_from or self.as_of.replace(day=1)
        end = min(self.period_to or self.as_of, self.as_of)
        return start, end

    @property
    def hazard_filtered(self) -> bool:
        """Whether any filter narrows the hazards themselves (not only their houses)."""
        return bool(
            self.categories or self.category_groups or self.severities or self.statuses
            or self.departments or self.found_from or self.found_to
        )  # fmt: skip
