"""The page's filters written back to URLs: a shared link, the page's data requests, its
vector tiles and its exports carry the same selection. The filters themselves are the
request's scope (geo_service.scope, docs/filters.md); this only keeps and re-encodes them."""

from collections.abc import Mapping
from urllib.parse import urlencode

from geo_service.scope import SCOPE_KEYS

# Every filter but the box: the view's box is the map's own (an export may ask for it).
FILTER_KEYS = tuple(k for k in SCOPE_KEYS if k != "bbox")


def filter_pairs(query: Mapping[str, str]) -> dict[str, str]:
    """The filters given in `query` (already validated by the request's scope)."""
    return {k: query[k] for k in FILTER_KEYS if query.get(k)}


def filter_query(query: Mapping[str, str], **extra: str) -> str:
    """The query string of the filters in `query`, plus `extra` parameters."""
    return urlencode({**filter_pairs(query), **{k: v for k, v in extra.items() if v}})
