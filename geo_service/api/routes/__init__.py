"""Routers of the API; `create_app` includes each one listed here (and the map's, from
`web_map`, which sits beside the API rather than under it)."""

from fastapi import APIRouter


def all_routers() -> list[APIRouter]:
    from geo_service.api.routes import density, health, incidents, ogc, tiles

    routers = [health.router, ogc.router, tiles.router, density.router, incidents.router]

    from geo_service.api.routes import analytics

    routers.append(analytics.router)

    from geo_service.api.routes import field, patrol, patrol_publish

    # patrol_publish first: its /routes/plans/stream must not be read as /routes/plans/{ref}.
    routers += [patrol_publish.router, patrol.router, field.router]

    from geo_service.api.routes import audit, auth

    routers += [auth.router, audit.router]

    from geo_service.api.routes import imports

    routers.append(imports.router)
    return routers
