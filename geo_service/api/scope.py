"""The request's scope (geo_service.scope), parsed once from its query string."""

from typing import Annotated

from fastapi import Depends, Request

from geo_service.api.deps import today
from geo_service.scope import Scope, parse_scope
from geo_service.spatial.web import query_dict


def request_scope(request: Request) -> Scope:
    """The scope of the request; the as-of day defaults to the town's today."""
    return parse_scope(query_dict(request), today(request), request.app.state.settings.tz)


ScopeDep = Annotated[Scope, Depends(request_scope)]
