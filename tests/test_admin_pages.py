"""用户管理 and 审计日志 over HTTP: the administrator adds, disables, enables, re-passwords and
re-roles users with the functions of `geo-service users`, each change takes effect at once and
is audited; the audit log is filtered by who, what and when, personal data masked."""

import pytest
from access_helpers import PASSWORD, auth_headers, secured_app
from etl_samples import full_workbook, run_import, setup_town
from fastapi.testclient import TestClient

NEW_PASSWORD = "Another-password-2026"


@pytest.fixture(scope="module")
def site(new_database, tmp_path_factory):
    url = new_database("admin_pages")
    tmp = tmp_path_factory.mktemp("town")
    setup_town(url, tmp)
    assert not run_import(url, full_workbook(tmp / "all.xlsx"), actor="cli:ops").rejections
    app = secured_app(url)
    with TestClient(app) as client:
        yield client, auth_headers(app, "admin", username="boss")


def login(client, username: str, password: str):
    return client.post(
        "/login",
        data={"username": username, "password": password, "next": "/map"},
        follow_redirects=False,
    )


def add(client, admin, **form):
    return client.post("/admin/users", data=form, headers=admin, follow_redirects=False)


def test_only_the_administrator_manages_users(site):
    client, _ = site
    village = auth_headers(client.app, "village", unit="戴溪社区")
    assert client.get("/admin/users", headers=village).status_code == 403
    assert client.get("/admin/audit", headers=village).status_code == 403
    r = add(client, village, username="x1", role="leader", password=PASSWORD)
    assert r.status_code == 403


def test_an_added_user_logs_in_then_is_disabled_and_enabled(site):
    client, admin = site
    r = add(
        client,
        admin,
        username="wang01",
        display_name="王网格",
        role="village",
        unit="岑村村",
        password=PASSWORD,
    )
    assert r.status_code == 303 and r.headers["location"] == "/admin/users?done=add&user=wang01"
    page = client.get(r.headers["location"], headers=admin).text
    assert "已新增用户：wang01" in page and "王网格" in page and "岑村村" in page
    assert login(client, "wang01", PASSWORD).status_code == 303  # the session cookie is set
    me = client.get("/auth/me").json()
    client.cookies.clear()
    assert (me["username"], me["role"], me["unit"]) == ("wang01", "village", "岑村村")

    r = client.post("/admin/users/wang01/state", data={"disabled": "true"}, headers=admin)
    assert r.status_code == 200 and "已停用：wang01" in r.text  # after the redirect
    refused = login(client, "wang01", PASSWORD)
    assert refused.status_code == 401 and "账户已停用" in refused.text
    client.post("/admin/users/wang01/state", data={"disabled": "false"}, headers=admin)
    assert login(client, "wang01", PASSWORD).status_code == 303
    client.cookies.clear()


def test_a_new_password_and_a_new_role_end_the_old_sessions(site):
    client, admin = site
    add(client, admin, username="li02", role="leader", password=PASSWORD)
    assert login(client, "li02", PASSWORD).status_code == 303
    assert client.get("/auth/me").status_code == 200
    r = client.post("/admin/users/li02/password", data={"password": NEW_PASSWORD}, headers=admin)
    assert "已重置密码" in r.text
    assert client.get("/auth/me").status_code == 401  # the cookie of before is void
    client.cookies.clear()
    assert login(client, "li02", PASSWORD).status_code == 401
    assert login(client, "li02", NEW_PASSWORD).status_code == 303
    r = client.post(
        "/admin/users/li02/role", data={"role": "department", "unit": "建设局"}, headers=admin
    )
    assert "已更改角色和单位" in r.text
    assert client.get("/auth/me").status_code == 401
    client.cookies.clear()
    login(client, "li02", NEW_PASSWORD)
    me = client.get("/auth/me").json()
    client.cookies.clear()
    assert (me["role"], me["unit"]) == ("department", "建设局")


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"username": "boss", "role": "leader", "password": PASSWORD}, "用户已存在"),
        ({"username": "zz1", "role": "leader", "password": "short"}, "10"),
        ({"username": "zz2", "role": "village", "password": PASSWORD}, "需指定单位"),
        ({"username": "zz3", "role": "village", "unit": "建设局", "password": PASSWORD}, "不符"),
        ({"username": "zz 4", "role": "leader", "password": PASSWORD}, "用户名只能包含"),
        ({"username": "zz5", "role": "mayor", "password": PASSWORD}, "未知角色"),
    ],
)
def test_a_refused_account_says_why_and_keeps_the_form(site, form, message):
    client, admin = site
    r = add(client, admin, **form)
    assert r.status_code == 422 and message in r.text
    assert f'value="{form["username"]}"' in r.text  # what was typed is still there


def test_the_administrator_cannot_lock_themselves_out(site):
    client, admin = site
    r = client.post("/admin/users/boss/state", data={"disabled": "true"}, headers=admin)
    assert r.status_code == 422 and "不能停用自己的账户" in r.text
    r = client.post("/admin/users/boss/role", data={"role": "leader"}, headers=admin)
    assert r.status_code == 422 and "不能取消自己的管理员角色" in r.text
    assert client.get("/admin/users", headers=admin).status_code == 200


def test_the_audit_log_filters_by_who_what_and_when(site):
    client, admin = site
    add(client, admin, username="zhao03", role="police", password=PASSWORD)
    client.post("/admin/users/zhao03/state", data={"disabled": "true"}, headers=admin)
    page = client.get("/admin/audit?actor=boss&action=user_disable", headers=admin).text
    assert page.count('data-action="user_disable"') >= 1
    assert 'data-action="user_add"' not in page and 'data-actor="cli:ops"' not in page
    assert "zhao03" in page and "停用用户" in page
    imports = client.get("/admin/audit?actor=cli:ops&table=houses", headers=admin).text
    assert imports.count('data-action="insert"') == 3  # H001, H002, H003 by the CLI import
    assert client.get("/admin/audit?until=2000-01-01", headers=admin).text.count("<tr data") == 0
    assert client.get("/admin/audit?since=2000-13-01", headers=admin).status_code == 422


def test_the_audit_page_masks_personal_data(site):
    client, admin = site
    page = client.get("/admin/audit?table=houses&action=insert", headers=admin).text
    assert "320412199001011234" not in page and "13800000001" not in page  # H001's landlord
    assert "320412********1234" in page and "138****0001" in page


def test_the_audit_api_masks_personal_data_for_the_administrator(site):
    client, admin = site
    rows = client.get("/audit?table=houses&action=insert", headers=admin).json()["entries"]
    h001 = next(r["after"] for r in rows if r["record_key"] == "H001")
    assert h001["landlord_id_number"] == "320412********1234"  # 18 digits: 6 kept, 8 masked, 4
    assert h001["landlord_phone"] == "138****0001"
    police = auth_headers(client.app, "police")
    rows = client.get("/audit?table=houses&action=insert", headers=police).json()["entries"]
    h001 = next(r["after"] for r in rows if r["record_key"] == "H001")
    assert h001["landlord_id_number"] == "320412199001011234"  # police may see personal data
