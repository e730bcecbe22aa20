"""`geo-service serve`: the API and the map."""

import typer

from geo_service.cli.common import console, settings
from geo_service.errors import SetupError

WORKER_HEALTHCHECK_S = 60
# Idle keep-alive connections are closed after this long. uvicorn's 5 s default is shorter than
# a map client's pauses: a client reusing a connection just as the server closes it gets
# "connection closed without response" (seen in the load test); 75 s, as common proxies use.
KEEP_ALIVE_S = 75
# uvicorn believes X-Forwarded-For from 127.0.0.1 unless told not to: the app honours it from
# GEO_TRUSTED_PROXIES only (access.web), so uvicorn's own handling stays off.
PROXY_HEADERS = False


def serve(
    host: str = typer.Option(None, help="address to listen on (default GEO_HOST or 127.0.0.1)"),
    port: int = typer.Option(None, help="port (default GEO_PORT or 8000)"),
    workers: int = typer.Option(1, help="worker processes"),
) -> None:
    """启动服务 Serve the API and the map page."""
    import uvicorn

    from geo_service.access.tokens import signing_key
    from geo_service.api.app import create_app
    from geo_service.db import check_reachable, database_url
    from geo_service.localdb import port_is_free
    from web_map.assets import check_assets

    s = settings()
    s = s.model_copy(update={"host": host or s.host, "port": port or s.port})
    if not port_is_free(s.port, s.host):
        raise SetupError(
            f"port {s.port} on {s.host} is already in use: stop what runs there "
            "or choose another with --port (or GEO_PORT)"
        )
    signing_key(s)  # refuses a placeholder secret in production before any worker starts
    check_assets()  # and a package installed without its map/API-docs assets
    url = database_url(s, start=not s.database_url)
    check_reachable(url)
    console.print(f"地图 map: http://{s.host}:{s.port}/map   API: http://{s.host}:{s.port}/docs")
    if workers > 1:
        # uvicorn's supervisor kills a worker that does not answer its ping within the
        # health-check timeout (5 s by default). A busy 2-core machine misses that while workers
        # import the app or run heavy requests, and the killed worker drops its requests.
        uvicorn.run(
            "geo_service.api.asgi:app",
            host=s.host,
            port=s.port,
            workers=workers,
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
            timeout_keep_alive=KEEP_ALIVE_S,
            proxy_headers=PROXY_HEADERS,
        )
    else:
        uvicorn.run(
            create_app(s),
            host=s.host,
            port=s.port,
            timeout_keep_alive=KEEP_ALIVE_S,
            proxy_headers=PROXY_HEADERS,
        )
