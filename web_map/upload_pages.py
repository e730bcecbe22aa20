"""上报数据 `/upload` (drop files, see what was imported and refused) and 上报记录
`/upload/history` (who uploaded which file when, and what became of it). The upload itself is
`POST /imports` (geo_service.api.routes.imports), called by static/js/upload.js."""

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from geo_service.access.roles import Role
from geo_service.api.deps import ConnDep, CurrentUser, today
from geo_service.uploads import store
from geo_service.uploads.files import ACCEPTED_ZH
from geo_service.uploads.results import OUTCOME_ZH
from web_map.pages import render

router = APIRouter(tags=["pages"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_NAME = "上报模板.xlsx"


def what_you_may_upload(role: Role, unit: str | None) -> str:
    """One sentence per role: what an upload of theirs may change (docs/upload.md)."""
    return {
        Role.VILLAGE: f"本单位（{unit}）的群租房、隐患、检查记录，以及单位表中本单位的一行；"
        "其他单位的行会被拒绝并说明原因。",
        Role.DEPARTMENT: f"流转给本部门（{unit}）的隐患的整改日期和复核日期；"
        "其他列须与系统中一致或留空。",
        Role.POLICE: "警情。其他表请由村（社区）或系统管理员上报。",
        Role.ADMIN: "所有表（单位、群租房、隐患、检查记录、警情）和图层（单位边界、重点区域、学校、"
        "道路、标准地址），与命令 geo-service import 相同。",
    }[role]


@router.get("/upload", response_class=HTMLResponse, summary="上报数据页面 the upload page")
def upload_page(request: Request, user: CurrentUser) -> HTMLResponse:
    return render(
        request,
        user,
        "upload.html",
        may_upload=what_you_may_upload(user.role, user.unit_name),
        accepted=ACCEPTED_ZH,
        today=today(request).isoformat(),
    )


@router.get(
    "/upload/template.xlsx",
    response_class=Response,
    summary="上报模板 the empty templates (单位, 群租房, 隐患, 检查记录, 警情)",
)
def upload_template(user: CurrentUser) -> Response:
    from etl.export import blank_templates

    return Response(
        blank_templates(),
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(TEMPLATE_NAME)}"},
    )


@router.get("/upload/history", response_class=HTMLResponse, summary="上报记录 upload history")
def upload_history(request: Request, user: CurrentUser, conn: ConnDep) -> HTMLResponse:
    return render(
        request, user, "upload_history.html", jobs=store.history(conn), outcome_zh=OUTCOME_ZH
    )
