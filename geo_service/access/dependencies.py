"""FastAPI dependencies: who is asking (checked against the database on every request), and
the request's connection running under that user's database role.

`geo_service.api.deps` exposes them as `CurrentUser` and `ConnDep`.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

from fastapi import Depends, FastAPI, HTTPException, Request
from sqlalchemy import Connection

from geo_service import rulebook
from geo_service.access import accounts, endpoints, session
from geo_service.access.accounts import Principal
from geo_service.access.roles import ROLE_ZH, Role
from geo_service.access.tokens import TokenClaims, decode
from geo_service.clock import town_today

SESSION_COOKIE = "geo_session"

UNAUTHORIZED = HTTPException(
    status_code=401,
    detail="请先登录 login required",
    headers={"WWW-Authenticate": "Bearer"},
)


def bearer_token(headers: dict[str, str]) -> str | None:
    """The token of an `Authorization: Bearer …` header, or None."""
    auth = headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    return None


def token_of(headers: dict[str, str], cookies: dict[str, str]) -> str | None:
    """The bearer token of a request, else its session cookie."""
    auth = headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return bearer_token(headers)
    return cookies.get(SESSION_COOKIE) or None


def claims_of(request: Request) -> TokenClaims | None:
    """The request's valid token claims (decoded once per request), or None."""
    state = request.scope.setdefault("state", {})
    if "claims" not in state:
        token = token_of(dict(request.headers), request.cookies)
        key = request.app.state.signing_key
        state["claims"] = decode(key, token) if token else None
    return state["claims"]


EXPIRED = HTTPException(
    status_code=401,
    detail="登录已失效，请重新登录 session no longer valid",
    headers={"WWW-Authenticate": "Bearer"},
)


def forbidden(user: Principal) -> HTTPException:
    return HTTPException(
        status_code=403,
        detail=f"无权访问：{ROLE_ZH[user.role]}不能使用此功能 forbidden: {user.role}",
    )


def check_user(conn: Connection, request: Request) -> Principal:
    """The request's user as of now, allowed to call its endpoint; 401/403 otherwise.

    A disabled, deleted, locked-out or logged-out user is refused even with an unexpired token.
    Marks the request as checked (`request.state.user`): the login gate withholds the answer
    of any request that was not (access.web).
    """
    claims = claims_of(request)
    if claims is None:
        raise UNAUTHORIZED
    user = accounts.current(conn, claims.username, claims.epoch)
    if user is None:
        raise EXPIRED
    if not endpoints.request_allowed(request, user.role):
        raise forbidden(user)
    request.state.user = user  # the map derives what it may show from it (web_map.viewer)
    return user


def auth_connection(request: Request) -> Iterator[tuple[Connection, Principal]]:
    """The request's one transaction (still the owner's) and its user, checked right now."""
    if claims_of(request) is None:
        raise UNAUTHORIZED
    with request.app.state.engine.begin() as conn:
        user = check_user(conn, request)
        yield conn, user


def logged_in(request: Request) -> Principal:
    """The request's user, checked in a short transaction of its own: for routes that must
    not hold a database connection while they work (the PNG export's browser)."""
    if claims_of(request) is None:
        raise UNAUTHORIZED
    with request.app.state.engine.begin() as conn:
        return check_user(conn, request)


# scope="function": the transaction commits before the response is sent, so a commit that
# fails (the database restarting) becomes an error answer, not a success already on its way
# followed by a dropped connection.
_AUTH = Depends(auth_connection, scope="function")


def current_user(pair: tuple[Connection, Principal] = _AUTH) -> Principal:
    return pair[1]


def connection(
    request: Request, pair: tuple[Connection, Principal] = _AUTH
) -> Iterator[Connection]:
    """The request's connection, switched to the user's database role for its transaction."""
    conn, user = pair
    session.enter(conn, user, f"{request.method} {request.url.path}", _today(request.app))
    rulebook.ensure_in_force(conn, request.app.state.settings.rules)
    yield conn
    session.leave(conn, user)


@contextmanager
def user_transaction(app: FastAPI, user: Principal, request: str) -> Iterator[Connection]:
    """A transaction of its own under `user`'s database role, for work a request hands to a
    worker thread after the request has checked the user (the planning page's progress
    stream). Same role and settings as `connection`; committed when the block ends."""
    with app.state.engine.begin() as conn:
        session.enter(conn, user, request, _today(app))
        rulebook.ensure_in_force(conn, app.state.settings.rules)
        yield conn
        session.leave(conn, user)


def _today(app: FastAPI) -> date:
    """The day a request's writes to houses take effect (house history): the town's today."""
    return town_today(app.state.settings, app.state.clock)


def require_roles(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency refusing (403) every role but `roles`, with a clear message."""
    allowed = frozenset(roles)

    def check(user: Principal = Depends(current_user, scope="function")) -> Principal:
        if user.role not in allowed:
            names = "、".join(ROLE_ZH[r] for r in roles)
            raise HTTPException(
                status_code=403, detail=f"无权访问：仅限{names} forbidden for role {user.role}"
            )
        return user

    return check
