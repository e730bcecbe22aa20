"""Routers of the API; `create_app` includes each one listed here."""

from fastapi import APIRouter


def all_routers() -> list[APIRouter]:
    from geo_service.api.routes import density, health, incidents, ogc, tiles
    from web_map import routes as map_routes

    routers = [health.router, map_routes.router]
    routers += [ogc.router, tiles.router, density.router, incidents.router]

    from geo_service.api.routes import analytics

    routers.append(analytics.router)

    from geo_service.api.routes import field, patrol, patrol_publish

    # patrol_publish first: its /routes/plans/stream must not be read as /routes/plans/{ref}.
    routers += [patrol_publish.router, patrol.router, field.router]

    from geo_service.api.routes import audit, auth

    routers += [auth.router, audit.router]
    return routers
