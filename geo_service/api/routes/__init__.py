"""Routers of the API; `create_app` includes each one listed here."""

from fastapi import APIRouter


def all_routers() -> list[APIRouter]:
    from geo_service.api.routes import health
    from web_map import routes as map_routes

    return [health.router, map_routes.router]
