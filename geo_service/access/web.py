"""The HTTP edge: the login gate, request size limit, secure headers, CSRF check and CORS.

One pure-ASGI middleware, so it wraps every response (errors included) and streams bodies
untouched.
"""

import json
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote, urlsplit

import anyio
import psycopg2
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import HTTPConnection

from geo_service.access import keys
from geo_service.access.dependencies import SESSION_COOKIE, bearer_token, check_user, token_of
from geo_service.access.tokens import decode
from geo_service.config import Settings

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

# Reachable without logging in: health, the login page and its form, and static files.
OPEN_PATHS = frozenset({"/healthz", "/login", "/favicon.ico"})
OPEN_PREFIXES = ("/auth/", "/static/")
# Pages whose scripts come from FastAPI's documentation bundle (see docs/access.md).
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
# Tile servers of the online base maps (web_map.basemaps): images only.
BASEMAP_IMAGE_SOURCES = {
    "tianditu": "https://*.tianditu.gov.cn",
    "amap": "https://*.is.autonavi.com",
    "osm": "https://tile.openstreetmap.org",
}
_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_BASEMAP_PARAM = re.compile(r"(?:^|&)basemap=([a-z]+)")


def is_open(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


def content_security_policy(nonce: str, image_sources: list[str], docs: bool = False) -> str:
    """The CSP: only the app's own assets. Scripts need the response's nonce (folium writes
    its map as inline scripts; the nonce admits those and nothing injected), styles may be
    inline (folium and Leaflet set them), images may also come from a chosen base map."""
    if docs:
        # /docs and /redoc start Swagger UI / ReDoc (served locally) with an inline script;
        # ReDoc runs its search in a worker made from a blob.
        return (
            "default-src 'self'; script-src 'self' 'unsafe-inline'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; worker-src 'self' blob:; "
            "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
        )
    images = " ".join(["'self'", "data:", "blob:", *image_sources])
    return (
        f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self' 'unsafe-inline'; "
        f"img-src {images}; connect-src 'self'; font-src 'self' data:; "
        "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    )


def script_nonce(request: Request) -> str:
    """The nonce the response's inline scripts must carry."""
    return request.scope.get("state", {}).get("csp_nonce", "")


_SCRIPT_TAG = re.compile(r"<script(?![^>]*\bnonce=)(?=[\s>])", re.IGNORECASE)


def with_nonce(request: Request, html: str) -> str:
    """`html` (a page the app itself generated) with the response's nonce on its scripts."""
    return _SCRIPT_TAG.sub(f'<script nonce="{script_nonce(request)}"', html)


class _TooLarge(Exception):
    pass


class AccessMiddleware:
    """Size limit, login gate, CSRF check for cookie sessions, and secure headers.

    The gate checks a token's signature at the door; its user is checked by the route's
    connection (`access.dependencies`), or here before the answer goes out when the route had
    none — so no route that needs a log-in answers a logged-out or locked-out user."""

    def __init__(self, app: Callable, settings: Settings, signing_key: str):
        self.app = app
        self.key = signing_key
        self.max_body = int(settings.max_upload_mb * 1024 * 1024)
        self.production = settings.environment == "production"
        self.basemap = settings.basemap

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        nonce = state["csp_nonce"] = secrets.token_urlsafe(16)
        started = False
        withheld = False  # the route's answer, replaced by a refusal

        async def send_with_headers(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                self._secure_headers(scope, MutableHeaders(scope=message), nonce)
            await send(message)

        async def send_checked(message: dict[str, Any]) -> None:
            # A route that needs a log-in but never checked its user (no database connection:
            # /openapi.json, /docs, /ogc, a 404 …): checked now, before anything goes out.
            nonlocal withheld
            unchecked = "user" not in state and not is_open(scope["path"])
            starting = message["type"] == "http.response.start"
            if starting and unchecked and (refusal := await _check_late(scope)) is not None:
                withheld = True
                await self._error(scope, send_with_headers, *refusal)
                return
            if not withheld:
                await send_with_headers(message)

        conn = HTTPConnection(scope)
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        if length and (not length.isdigit() or int(length) > self.max_body):
            await self._error(scope, send_with_headers, 413, self._too_large_text())
            return
        token = token_of(dict(headers), conn.cookies)
        state["claims"] = decode(self.key, token) if token else None
        if state["claims"] is None and keys.looks_like_key(token):  # an API key (keys.py)
            state["claims"] = await keys.claims_for_request(scope, token)
        path = scope["path"]
        if state["claims"] is None and not is_open(path):
            await self._refuse_anonymous(scope, send_with_headers)
            return
        if self._cross_site_write(scope, headers, conn.cookies):
            await self._error(
                scope, send_with_headers, 403, "跨站请求被拒绝 cross-site request refused"
            )
            return
        try:
            await self.app(scope, self._limited(receive), send_checked)
        except _TooLarge:
            if started:
                raise
            await self._error(scope, send_with_headers, 413, self._too_large_text())

    def _too_large_text(self) -> str:
        mb = self.max_body / 1024 / 1024
        return f"请求过大（上限 {mb:g} MB） request body too large (limit {mb:g} MB)"

    def _limited(self, receive: Receive) -> Receive:
        seen = 0

        async def limited() -> dict[str, Any]:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise _TooLarge
            return message

        return limited

    @staticmethod
    def _cross_site_write(scope: Scope, headers: Headers, cookies: dict[str, str]) -> bool:
        """A cookie-authenticated write whose Origin (or Referer) is another site."""
        if scope["method"] not in _UNSAFE_METHODS or SESSION_COOKIE not in cookies:
            return False
        if bearer_token(dict(headers)):
            # Authenticated by the bearer token (which browsers never send on their own), not
            # the cookie. Any other Authorization header (Basic …) leaves the cookie in charge.
            return False
        source = headers.get("origin") or headers.get("referer")
        if not source or source == "null":
            return source == "null"
        return urlsplit(source).netloc != headers.get("host", "")

    async def _refuse_anonymous(self, scope: Scope, send: Send) -> None:
        headers = Headers(scope=scope)
        if scope["method"] == "GET" and "text/html" in headers.get("accept", ""):
            target = scope["path"] + (
                "?" + scope["query_string"].decode("latin-1") if scope["query_string"] else ""
            )
            location = "/login?next=" + quote(target, safe="")
            await send(
                {
                    "type": "http.response.start",
                    "status": 303,
                    "headers": [(b"location", location.encode()), (b"content-length", b"0")],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await self._error(
            scope, send, 401, "请先登录 login required", [(b"www-authenticate", b"Bearer")]
        )

    @staticmethod
    async def _error(
        scope: Scope, send: Send, status: int, detail: str, extra: list | None = None
    ) -> None:
        body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *(extra or []),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _secure_headers(self, scope: Scope, h: MutableHeaders, nonce: str) -> None:
        path = scope["path"]
        sources = {self.basemap}
        if path == "/map" and (m := _BASEMAP_PARAM.search(scope["query_string"].decode("latin-1"))):
            sources.add(m.group(1))
        images = [BASEMAP_IMAGE_SOURCES[k] for k in sorted(sources) if k in BASEMAP_IMAGE_SOURCES]
        h.setdefault(
            "content-security-policy",
            content_security_policy(nonce, images, docs=path in DOCS_PATHS),
        )
        h.setdefault("x-content-type-options", "nosniff")
        h.setdefault("x-frame-options", "DENY")
        h.setdefault("referrer-policy", "same-origin")
        h.setdefault("cross-origin-opener-policy", "same-origin")
        h.setdefault("permissions-policy", "camera=(), microphone=(), geolocation=(self)")
        if not path.startswith("/static/"):
            # Responses may carry personal data: no shared cache keeps them.
            h.setdefault("cache-control", "no-store")
        if not is_open(path) and "public" in h["cache-control"]:
            # Behind the log-in every answer depends on who asks: never for a shared cache.
            h["cache-control"] = h["cache-control"].replace("public", "private")
        if self.production:
            h.setdefault("strict-transport-security", "max-age=31536000")


async def _check_late(scope: Scope) -> tuple[int, str, list] | None:
    """(status, message, headers) refusing a request whose user is no longer valid (or may
    not call its endpoint); None when it may have its answer."""
    request = Request(scope)
    engine = request.app.state.engine

    def check() -> None:
        with engine.begin() as conn:
            check_user(conn, request)

    try:
        await anyio.to_thread.run_sync(check)
    except HTTPException as e:
        return e.status_code, str(e.detail), [(b"www-authenticate", b"Bearer")]
    except (SQLAlchemyError, psycopg2.Error):
        return 503, "数据库暂时不可用，请稍后重试 database unavailable, retry shortly", []
    return None


async def _db_permission_error(request: Request, exc: Exception) -> JSONResponse:
    """The database refused (privilege or row-level security): 403, not 500."""
    if getattr(getattr(exc, "orig", None), "pgcode", None) == "42501":
        return JSONResponse(
            {"detail": "无权访问 forbidden: not allowed for your role"}, status_code=403
        )
    raise exc


def install(app: FastAPI, settings: Settings, signing_key: str) -> None:
    """Wire access control into `app` (called by `create_app`)."""
    from fastapi.middleware.cors import CORSMiddleware

    from geo_service.access.logs import install_log_redaction
    from geo_service.access.ratelimit import RateLimiter

    app.state.signing_key = signing_key
    app.state.login_limiter = RateLimiter()
    app.add_exception_handler(DBAPIError, _db_permission_error)
    app.add_middleware(AccessMiddleware, settings=settings, signing_key=signing_key)
    if settings.cors_origins:
        # Outside the gate, so pre-flight requests are answered before it.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    if settings.trusted_proxies:
        # Outermost: the client's address (login rate limit) and scheme from X-Forwarded-For
        # and -Proto, believed only from these proxies (`geo-service serve` turns uvicorn's
        # own handling off, which would trust 127.0.0.1).
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    install_log_redaction()
