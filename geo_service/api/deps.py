"""Typed dependencies shared by the routes.

Every route reaches the database through `ConnDep`: one connection, one transaction per
request. Access control hooks in here (who is asking, which rows they may see), so a route
must not open connections of its own.
"""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Connection, Engine

from geo_service.config import Settings


def _engine(request: Request) -> Engine:
    return request.app.state.engine


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _connection(request: Request) -> Iterator[Connection]:
    with request.app.state.engine.begin() as conn:
        yield conn


EngineDep = Annotated[Engine, Depends(_engine)]
SettingsDep = Annotated[Settings, Depends(_settings)]
ConnDep = Annotated[Connection, Depends(_connection)]
