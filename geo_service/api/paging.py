"""`limit`/`offset` paging of the long analytics lists (overdue hazards, CCTV violations).

At city scale such a list is ~100k items (~40 MB of JSON) that nobody reads at once; a page is
`limit` items from `offset`, and the body's counts stay the totals over every item. The bounds
are checked here (not by FastAPI's `ge`/`le`) so a bad value gets one clear line in Chinese;
they are still declared in the OpenAPI schema.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query

from geo_service.analytics.common import check_page
from geo_service.bounds import MAX_OFFSET, check_int4
from geo_service.errors import ValidationError

DEFAULT_LIMIT = 1000  # a page a person (or a table widget) can use; the total says how many
MAX_LIMIT = 10_000


@dataclass(frozen=True)
class PageParams:
    limit: int
    offset: int


def page_params(
    limit: Annotated[
        int,
        Query(
            description=f"每页条数 page size, 1–{MAX_LIMIT:,}",
            json_schema_extra={"minimum": 1, "maximum": MAX_LIMIT},
        ),
    ] = DEFAULT_LIMIT,
    offset: Annotated[
        int,
        Query(
            description="起始位置 index of the page's first item (the previous page's next_offset)",
            json_schema_extra={"minimum": 0, "maximum": MAX_OFFSET},
        ),
    ] = 0,
) -> PageParams:
    """The page asked for, checked."""
    if limit > MAX_LIMIT:
        raise ValidationError(f"limit 每页条数不能超过 {MAX_LIMIT} (must be ≤ {MAX_LIMIT})")
    check_page(limit, offset)
    check_int4(offset, "offset")
    return PageParams(limit, offset)


PageDep = Annotated[PageParams, Depends(page_params)]
