"""The API documentation pages, /docs (Swagger UI) and /redoc (ReDoc), from local files.

FastAPI's own pages load their scripts from a CDN: blank on an intranet without the
internet. These are the same pages pointing at the vendored copies (web_map.assets).
"""

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse

from web_map.assets import PREFIX, REDOC_JS, SWAGGER_CSS, SWAGGER_FAVICON, SWAGGER_JS

OAUTH2_REDIRECT = "/docs/oauth2-redirect"


def install(app: FastAPI) -> None:
    """Serve /docs, its OAuth2 redirect and /redoc (the app is built with docs_url=None)."""

    def root(request: Request) -> str:
        # Behind a reverse proxy mounted under a path, links keep that path.
        return request.scope.get("root_path", "").rstrip("/")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        base = root(request)
        return get_swagger_ui_html(
            openapi_url=base + app.openapi_url,
            title=f"{app.title} — API",
            oauth2_redirect_url=base + OAUTH2_REDIRECT,
            swagger_js_url=f"{base}{PREFIX}/{SWAGGER_JS}",
            swagger_css_url=f"{base}{PREFIX}/{SWAGGER_CSS}",
            swagger_favicon_url=f"{base}{PREFIX}/{SWAGGER_FAVICON}",
            # Swagger UI would ask an online validator for a badge on any host but localhost.
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get(OAUTH2_REDIRECT, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        base = root(request)
        return get_redoc_html(
            openapi_url=base + app.openapi_url,
            title=f"{app.title} — ReDoc",
            redoc_js_url=f"{base}{PREFIX}/{REDOC_JS}",
            redoc_favicon_url=f"{base}{PREFIX}/{SWAGGER_FAVICON}",
            with_google_fonts=False,
        )
