"""The scope of a question, parsed once and turned into SQL by one builder (docs/filters.md)."""

from geo_service.scope.model import FIRST_DAY, LAST_DAY, STATUS_ZH, STATUSES, Bbox, Scope
from geo_service.scope.parse import SCOPE_KEYS, make_scope, parse_bbox, parse_date, parse_scope
from geo_service.scope.sql import ScopeSql, where

__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "SCOPE_KEYS",
    "STATUSES",
    "STATUS_ZH",
    "Bbox",
    "Scope",
    "ScopeSql",
    "make_scope",
    "parse_bbox",
    "parse_date",
    "parse_scope",
    "where",
]
