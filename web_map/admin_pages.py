"""用户管理 `/admin/users` and 审计日志 `/admin/audit`, for the administrator.

Accounts are changed with the functions of `geo-service users` (geo_service.access.accounts),
on an owner connection as the CLI does: no API role holds any privilege on `users`. Each form
posts to its own path and is answered by a redirect to the list (or the list with the reason
it was refused); the change is audited under the administrator's name. The audit log is read
under the administrator's database role, like `GET /audit`.
"""

import json
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import text

from geo_service.access import accounts, audit
from geo_service.access.accounts import Principal
from geo_service.access.personal import mask_record
from geo_service.access.roles import ROLE_ZH, UNIT_KINDS, Role
from geo_service.api.deps import ConnDep, CurrentUser
from geo_service.errors import GeoServiceError
from web_map.pages import render

router = APIRouter(tags=["pages"])

DONE_ZH = {
    "add": "已新增用户",
    "disable": "已停用",
    "enable": "已启用",
    "password": "已重置密码（该用户需重新登录）",
    "role": "已更改角色和单位（该用户需重新登录）",
}
ACTION_ZH = {
    "insert": "新增",
    "update": "修改",
    "delete": "删除",
    "read": "读取警情",
    "read_personal": "查看个人信息",
    "user_add": "新增用户",
    "user_disable": "停用用户",
    "user_enable": "启用用户",
    "user_password": "重置密码",
    "user_role": "更改角色",
    "user_locked": "账户锁定",
}
TABLE_ZH = {
    "houses": "群租房",
    "hazards": "隐患",
    "incidents": "警情",
    "units": "单位",
    "users": "用户",
    "inspections": "检查记录",
    "review_visits": "回头看走访",
    "route_plans": "巡查路线",
    "key_areas": "重点区域",
    "schools": "学校",
    "roads": "道路",
    "addresses": "标准地址",
}


def _owner(request: Request):
    return request.app.state.engine.begin()


def _units(request: Request) -> list[dict[str, Any]]:
    with _owner(request) as conn:
        rows = conn.execute(text("SELECT name, kind FROM units ORDER BY kind, name"))
        return [dict(r._mapping) for r in rows]


def _users_page(
    request: Request, admin: Principal, error: str = "", form: dict | None = None, status=200
) -> HTMLResponse:
    with _owner(request) as conn:
        users = accounts.list_users(conn)
    q = request.query_params
    done = DONE_ZH.get(q.get("done", ""), "")
    return render(
        request,
        admin,
        "admin_users.html",
        status=status,
        users=users,
        units=_units(request),
        roles=[(r.value, ROLE_ZH[r], bool(UNIT_KINDS.get(r))) for r in Role],
        done=f"{done}：{q.get('user', '')}" if done else "",
        error=error,
        form=form or {},
    )


def _back(done: str, username: str) -> RedirectResponse:
    return RedirectResponse(
        "/admin/users?" + urlencode({"done": done, "user": username}), status_code=303
    )


@router.get("/admin/users", response_class=HTMLResponse, summary="用户管理 user accounts")
def users_page(request: Request, admin: CurrentUser) -> HTMLResponse:
    return _users_page(request, admin)


@router.post("/admin/users", summary="新增用户 add a user (form)")
def add_user(
    request: Request,
    admin: CurrentUser,
    username: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form(max_length=20)],
    password: Annotated[str, Form(max_length=200)],
    unit: Annotated[str, Form(max_length=100)] = "",
    display_name: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    username = username.strip()
    try:
        with _owner(request) as conn:
            accounts.add_user(
                conn,
                username,
                role,
                password,
                unit or None,
                display_name.strip() or None,
                actor=admin.username,
            )
    except GeoServiceError as e:
        form = {"username": username, "role": role, "unit": unit, "display_name": display_name}
        return _users_page(request, admin, str(e), form, status=422)
    return _back("add", username)


@router.post("/admin/users/{username}/state", summary="停用/启用 disable or enable a user")
def set_state(
    request: Request,
    admin: CurrentUser,
    username: str,
    disabled: Annotated[bool, Form()],
) -> Response:
    if disabled and username == admin.username:
        return _users_page(
            request, admin, "不能停用自己的账户 you cannot disable yourself", status=422
        )
    try:
        with _owner(request) as conn:
            accounts.set_disabled(conn, username, disabled, actor=admin.username)
    except GeoServiceError as e:
        return _users_page(request, admin, str(e), status=404)
    return _back("disable" if disabled else "enable", username)


@router.post("/admin/users/{username}/password", summary="重置密码 set a new password")
def reset_password(
    request: Request,
    admin: CurrentUser,
    username: str,
    password: Annotated[str, Form(max_length=200)],
) -> Response:
    try:
        with _owner(request) as conn:
            accounts.set_password(conn, username, password, actor=admin.username)
    except GeoServiceError as e:
        return _users_page(request, admin, f"{username}：{e}", status=422)
    return _back("password", username)


@router.post("/admin/users/{username}/role", summary="更改角色和单位 change role and unit")
def change_role(
    request: Request,
    admin: CurrentUser,
    username: str,
    role: Annotated[str, Form(max_length=20)],
    unit: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    if username == admin.username and role != Role.ADMIN.value:
        return _users_page(
            request, admin, "不能取消自己的管理员角色 you cannot demote yourself", status=422
        )
    try:
        with _owner(request) as conn:
            accounts.set_role(conn, username, role, unit or None, actor=admin.username)
    except GeoServiceError as e:
        return _users_page(request, admin, f"{username}：{e}", status=422)
    return _back("role", username)


# -- 审计日志 -------------------------------------------------------------------------------------


def _summary(row: dict) -> str:
    """What changed (the fields of an update), or the detail in one line."""
    before, after = row.get("before"), row.get("after")
    if before is not None and after is not None:
        changed = sorted(k for k in after if after.get(k) != before.get(k) and k != "updated_at")
        return "改动：" + "、".join(changed) if changed else ""
    detail = dict(row.get("detail") or {})
    for key in ("ids", "house_codes"):
        if isinstance(detail.get(key), list) and len(detail[key]) > 5:
            detail[key] = [*detail[key][:5], "…"]
    return json.dumps(detail, ensure_ascii=False) if detail else ""


@router.get("/admin/audit", response_class=HTMLResponse, summary="审计日志 the audit log")
def audit_page(
    request: Request,
    admin: CurrentUser,
    conn: ConnDep,
    actor: Annotated[str | None, Query(max_length=100)] = None,
    action: Annotated[str | None, Query(max_length=30)] = None,
    table: Annotated[str | None, Query(max_length=50)] = None,
    since: Annotated[date | None, Query()] = None,
    until: Annotated[date | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=audit.MAX_ROWS)] = 200,
) -> HTMLResponse:
    rows = audit.entries(conn, since, until, actor or None, table or None, action or None, limit)
    for r in rows:
        r["summary"] = _summary(r)
        r["before_json"] = _pretty(r.get("before"))
        r["after_json"] = _pretty(r.get("after"))
    actors = conn.execute(text("SELECT DISTINCT actor FROM audit_log ORDER BY 1 LIMIT 500"))
    return render(
        request,
        admin,
        "admin_audit.html",
        rows=rows,
        actors=[a for (a,) in actors],
        actions=ACTION_ZH,
        tables=TABLE_ZH,
        f={
            "actor": actor or "",
            "action": action or "",
            "table": table or "",
            "since": since.isoformat() if since else "",
            "until": until.isoformat() if until else "",
            "limit": limit,
        },
    )


def _pretty(value: Any) -> str:
    if not value:
        return ""
    if isinstance(value, dict):
        # the administrator sees landlords' personal data masked everywhere, here too
        value = mask_record(value)
    return json.dumps(value, ensure_ascii=False, indent=1, default=str)
