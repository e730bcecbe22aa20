"""Typed dependencies shared by the routes."""

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from geo_service.config import Settings


def _engine(request: Request) -> Engine:
    return request.app.state.engine


def _settings(request: Request) -> Settings:
    return request.app.state.settings


EngineDep = Annotated[Engine, Depends(_engine)]
SettingsDep = Annotated[Settings, Depends(_settings)]
