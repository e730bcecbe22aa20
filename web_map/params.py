"""The map's query parameters, declared for the API description: the routes read them as the
request's scope (geo_service.scope, docs/filters.md), which validates and bounds them (one
clear 422 each); any other filter of docs/filters.md is taken too."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query

from geo_service.spatial.web import DateText


@dataclass
class MapQueryParams:
    """The filters shared by the page, its data, exports and snapshots (comma lists)."""

    unit_id: Annotated[str | None, Query(description="单位 id(s), e.g. 3,5")] = None
    unit: Annotated[str | None, Query(description="单位 name(s) or id(s)")] = None
    key_area_kind: Annotated[str | None, Query(description="重点区域类型 kind(s)")] = None
    category: Annotated[str | None, Query(description="隐患类别 code(s)")] = None
    severity: Annotated[str | None, Query(description="major / general")] = None
    status: Annotated[str | None, Query(description="open / overdue / rectified")] = None
    as_of: Annotated[DateText, Query(description="YYYY-MM-DD (default today)")] = None


MapQuery = Annotated[MapQueryParams, Depends()]
