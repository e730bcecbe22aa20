"""ASGI entry for multi-worker servers: `uvicorn geo_service.api.asgi:app --workers N`."""

from geo_service.api.app import create_app
from geo_service.config import Settings

app = create_app(Settings())
