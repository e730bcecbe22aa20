"""The response cache as a route dependency: `cache.serve(compute)` answers from the cache
when the data have not changed since the answer was computed, else computes and keeps it.

The key holds everything an answer depends on: the code and configuration files
(fingerprint), the caller's role and unit (what the database lets them see), the town's day
(the default as-of date is today there: `deps.today`), the path and every query parameter.
A request with `Cache-Control: no-cache` recomputes. Answers carry `ETag` (304 on
`If-None-Match`) and `X-Cache: hit|miss`. See docs/cache.md.
"""

import hashlib
import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import Connection

from geo_service.access.accounts import Principal
from geo_service.access.session import note_read
from geo_service.api.deps import ConnDep, CurrentUser, today
from geo_service.cache import store
from geo_service.config import Settings
from geo_service.scope import Scope
from geo_service.scope.sql import resolve_units

_KEPT_HEADERS = ("cache-control", "content-disposition")
# PostGIS compares boxes in single precision rounded outwards (index and `&&`): at lon 120 a
# point up to ~1e-5° outside a box can be inside its answer, so a footprint reaches 1e-4° (11 m)
# beyond the box it was asked for.
_FOOTPRINT_MARGIN = 1e-4


# A route's answer with this header is served but not kept (`Cache-Control: no-store` is the
# browsers' business: the access layer sets it on every answer).
NOT_KEPT = ("X-Server-Cache", "not-kept")


def model_response(model: BaseModel) -> Response:
    """A pydantic answer as the JSON FastAPI would have sent."""
    return Response(model.model_dump_json(by_alias=True), media_type="application/json")


class ResponseCache:
    """The cache for one request (see the module docstring)."""

    def __init__(self, request: Request, conn: Connection, user: Principal) -> None:
        self.request, self.conn, self.user = request, conn, user
        self.settings: Settings = request.app.state.settings

    def key(self) -> str:
        user = self.user
        parts = [
            self.request.app.state.cache_fingerprint,
            user.role.value,
            str(user.village_unit_id or ""),
            str(user.department_id or ""),
            today(self.request).isoformat(),
            str(self.request.base_url),  # answers may hold links to this server
            self.request.url.path,
            *sorted(f"{k}={v}" for k, v in self.request.query_params.multi_items()),
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def serve(
        self,
        compute: Callable[[], Response | BaseModel],
        footprint: store.Footprint | None = None,
    ) -> Response:
        """The cached answer, else `compute()`'s (kept, with `footprint` if it has one)."""
        if not self.settings.cache_enabled:
            return _as_response(compute())
        key = self.key()
        fresh = "no-cache" in self.request.headers.get("cache-control", "")
        version, entry = store.lookup(self.conn, key)
        if entry is None and not fresh:
            store.wait_for_other_computations(self.conn, key)
            version, entry = store.lookup(self.conn, key)
        if entry is not None and not fresh:
            if entry.reads_incidents:
                note_read(self.conn, [f"cached answer {key[:16]}"])
            return self._answer(entry, entry.version or version, key, "hit")
        started = time.perf_counter()
        response = _as_response(compute())
        entry = _entry(response, store.read_incidents(self.conn))
        if entry is not None and len(entry.body) <= self.settings.cache_max_entry_mb * 2**20:
            ms = (time.perf_counter() - started) * 1000
            limit = self.settings.cache_max_mb * 2**20
            store.store(self.conn, key, version, entry, ms, limit, footprint)
        if entry is None:
            return response
        return self._answer(entry, version, key, "miss")

    def _answer(self, entry: store.Entry, version: int, key: str, how: str) -> Response:
        etag = f'W/"{version}-{key[:20]}"'
        headers = {**entry.headers, "ETag": etag, "X-Cache": how}
        if etag in self.request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(
            entry.body, status_code=entry.status, media_type=entry.media_type, headers=headers
        )


def footprint(
    conn: Connection, scope: Scope, bounds: tuple[float, float, float, float] | None = None
) -> store.Footprint:
    """What an answer about houses and hazards filtered by `scope` (and inside `bounds`, a
    tile's box) reads at most: the records inside the box, of the scope's units."""
    units = resolve_units(conn, scope.units)
    box = bounds or scope.bbox
    m = _FOOTPRINT_MARGIN
    return store.Footprint(
        bounds=(box[0] - m, box[1] - m, box[2] + m, box[3] + m) if box else None,
        unit_ids=tuple(sorted({row[0] for row in units.values()})) if units else None,
    )


def _as_response(answer: Response | BaseModel) -> Response:
    return model_response(answer) if isinstance(answer, BaseModel) else answer


def _entry(response: Response, reads_incidents: bool) -> store.Entry | None:
    """What of `response` is kept: successful, complete bodies only, unless the route marks it
    NOT_KEPT (an answer read from a table kept fresh on its own, such as the maintained risk
    ranking: keeping it would outlive that table's next refresh)."""
    body = getattr(response, "body", None)
    if response.status_code not in (200, 204) or not isinstance(body, bytes):
        return None
    if response.headers.get(NOT_KEPT[0]) == NOT_KEPT[1]:
        return None
    media_type = response.media_type or response.headers.get("content-type")
    headers = {k: v for k, v in response.headers.items() if k in _KEPT_HEADERS}
    return store.Entry(response.status_code, media_type, body, headers, reads_incidents)


def _cache(request: Request, conn: ConnDep, user: CurrentUser) -> ResponseCache:
    return ResponseCache(request, conn, user)


CacheDep = Annotated[ResponseCache, Depends(_cache)]
