"""Login and logout: OAuth2 password flow for API clients, a session cookie for the map page."""

import time
from html import escape
from importlib import resources
from string import Template
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm

from geo_service.access import accounts, tokens
from geo_service.access.accounts import LoginRefused, Principal
from geo_service.access.dependencies import SESSION_COOKIE, claims_of
from geo_service.access.ratelimit import RateLimiter
from geo_service.access.roles import ROLE_ZH
from geo_service.api.deps import CurrentUser
from geo_service.config import Settings

router = APIRouter(tags=["auth"])
# Declares the scheme in OpenAPI (the "Authorize" button of /docs); checking is done by
# `current_user`, which also accepts the session cookie.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)

_PAGE = Template(resources.files("geo_service.access").joinpath("login.html").read_text("utf-8"))


def _limiter(request: Request) -> RateLimiter:
    return request.app.state.login_limiter


def _login(request: Request, username: str, password: str) -> Principal:
    """Check the password (lock-out, rate limit) or raise 401/423/429 with a clear message."""
    settings: Settings = request.app.state.settings
    client = request.client.host if request.client else "?"
    if not _limiter(request).allow(client, settings.login_rate_per_minute):
        raise HTTPException(429, "登录尝试过于频繁，请稍后再试 too many login attempts")
    refused: LoginRefused | None = None
    # The transaction commits even when the login fails: the failure count must persist.
    with request.app.state.engine.begin() as conn:
        try:
            user = accounts.authenticate(
                conn,
                username,
                password,
                settings.login_max_failures,
                settings.login_lockout_minutes,
            )
        except LoginRefused as e:
            refused = e
    if refused is not None:
        raise HTTPException(401, str(refused), headers={"WWW-Authenticate": "Bearer"})
    return user


def _issue(request: Request, user: Principal, kind: str) -> tuple[str, int]:
    settings: Settings = request.app.state.settings
    lifetime = settings.token_minutes * 60 if kind == "access" else settings.session_hours * 3600
    return tokens.issue(request.app.state.signing_key, user.username, user.epoch, kind, lifetime)


@router.post("/auth/token", summary="登录取令牌 OAuth2 password flow: a short-lived bearer token")
def token(
    request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> dict[str, Any]:
    user = _login(request, form.username, form.password)
    value, exp = _issue(request, user, "access")
    return {"access_token": value, "token_type": "bearer", "expires_in": exp - int(time.time())}


def _safe_next(target: str | None) -> str:
    # Only a path of this site: never an absolute or protocol-relative URL (open redirect).
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/map"
    return target


def _page(next_: str, username: str = "", error: str = "", status: int = 200) -> HTMLResponse:
    box = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    html = _PAGE.substitute(error=box, username=escape(username), next=escape(_safe_next(next_)))
    return HTMLResponse(html, status_code=status)


@router.get("/login", response_class=HTMLResponse, summary="登录页面 the login page")
def login_page(next: str = "/map") -> HTMLResponse:
    return _page(next)


@router.post("/login", summary="登录（表单）log in and receive the session cookie")
def login_form(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=2000)] = "/map",
) -> Response:
    try:
        user = _login(request, username, password)
    except HTTPException as e:
        return _page(next, username, str(e.detail), e.status_code)
    value, exp = _issue(request, user, "session")
    settings: Settings = request.app.state.settings
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=exp - int(time.time()),
        httponly=True,
        samesite="lax",
        secure=settings.environment == "production"
        if settings.cookie_secure is None
        else settings.cookie_secure,
        path="/",
    )
    return response


@router.post("/auth/logout", summary="退出登录 log out (voids every token of the user)")
def logout(request: Request) -> Response:
    claims = claims_of(request)
    if claims is not None:
        with request.app.state.engine.begin() as conn:
            accounts.logout(conn, claims.username, claims.epoch)
    if "text/html" in request.headers.get("accept", ""):
        response: Response = RedirectResponse("/login", status_code=303)
    else:
        response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/auth/me", summary="当前用户 who am I")
def me(
    user: CurrentUser,
    _token: Annotated[str | None, Depends(oauth2_scheme)] = None,
) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role.value,
        "role_zh": ROLE_ZH[user.role],
        "unit_id": user.unit_id,
        "unit": user.unit_name,
    }
