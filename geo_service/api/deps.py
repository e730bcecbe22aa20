"""Typed dependencies shared by the routes.

Every route reaches the database through `ConnDep`: one connection, one transaction per
request, already switched to the logged-in user's database role, so PostgreSQL decides which
rows and columns it reaches (docs/access.md). `CurrentUser` is that user, checked against the
database on every request. A route must not open connections of its own: the engine is for
`/healthz` only.
"""

from datetime import date
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Connection, Engine

from geo_service.access.accounts import Principal
from geo_service.access.dependencies import connection, current_user, logged_in
from geo_service.clock import town_today
from geo_service.config import Settings


def _engine(request: Request) -> Engine:
    return request.app.state.engine


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def today(request: Request) -> date:
    """Today in the town (the default as-of day), by the app's clock."""
    return town_today(request.app.state.settings, request.app.state.clock)


EngineDep = Annotated[Engine, Depends(_engine)]
SettingsDep = Annotated[Settings, Depends(_settings)]
TodayDep = Annotated[date, Depends(today)]
# scope="function": committed before the response goes out (see access.dependencies).
ConnDep = Annotated[Connection, Depends(connection, scope="function")]
CurrentUser = Annotated[Principal, Depends(current_user, scope="function")]
# The user checked in a transaction of its own, for routes that hold no connection while they
# work (the PNG export).
LoggedIn = Annotated[Principal, Depends(logged_in)]
