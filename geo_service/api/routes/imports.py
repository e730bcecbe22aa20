"""`POST /imports` and what follows it: the upload (上报数据) of village, department and police
files through the engine of `geo-service import`, under the uploader's scope (docs/upload.md).

A small upload is answered with its result (200); a large one with its job (202, `Location:
/imports/{id}`) whose progress and, at the end, result `GET /imports/{id}` returns. The result
is the same either way: per file its outcome, per sheet 新增/更新/未变/拒绝, the refused rows with
their reasons, the warnings (GCJ-02), and the error workbook at `report_url`.
"""

import threading
from contextlib import suppress
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, File, Form, Request, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response

from etl.effective import parse_effective
from geo_service.api.deps import ConnDep, CurrentUser, today
from geo_service.errors import NotFoundError
from geo_service.uploads import store
from geo_service.uploads.files import checked, coord_system
from geo_service.uploads.jobs import UploadRunner

router = APIRouter(tags=["imports"])

# Uploads up to this size are imported while the request waits (a few thousand rows: seconds).
INLINE_BYTES = 2 * 1024 * 1024
INLINE_WAIT_S = 60  # … and answered with the job (202) if the worker is busy for longer
ASKED_WAIT_S = 600  # `wait=true`: a script that would rather wait than poll
_RUNNER_LOCK = threading.Lock()


def runner_of(app: FastAPI) -> UploadRunner:
    """The app's upload worker, started on the first upload."""
    with _RUNNER_LOCK:
        runner = getattr(app.state, "upload_runner", None)
        if runner is None:
            runner = app.state.upload_runner = UploadRunner(app.state.settings, app.state.engine)
    return runner


@router.post(
    "/imports",
    summary="上报数据 upload workbooks and layers (multipart: files, accept_valid, crs, wait,"
    " effective)",
    responses={202: {"description": "accepted: a large upload runs as a job, see Location"}},
)
def create_import(
    request: Request,
    user: CurrentUser,
    conn: ConnDep,
    files: Annotated[list[UploadFile], File(description="xlsx/xls/csv, geojson/gpkg/zip")],
    accept_valid: Annotated[bool, Form(description="只导入正确的行 (default: strict)")] = False,
    crs: Annotated[str | None, Form(max_length=20, description="the files' 坐标系")] = None,
    wait: Annotated[bool | None, Form(description="wait for the result (default: by size)")] = None,
    effective: Annotated[
        str | None,
        Form(max_length=20, description="台账日期 YYYY-MM-DD, not after today (default: today)"),
    ] = None,
) -> Response:
    day = parse_effective(effective, today(request), "台账日期 effective")
    content = checked([(f.filename, f.file.read()) for f in files])
    with request.app.state.engine.begin() as owner:
        job_id = store.create_job(owner, user, content, accept_valid, coord_system(crs), day)
    future = runner_of(request.app).submit(job_id, user)
    if wait is None:
        wait_s = INLINE_WAIT_S if sum(len(c) for _, c in content) <= INLINE_BYTES else 0
    else:
        wait_s = ASKED_WAIT_S if wait else 0
    if wait_s:
        with suppress(TimeoutError):  # still queued or running: answered as a job
            future.result(timeout=wait_s)
    view = store.job_view(conn, job_id)
    done = view is not None and view["status"] in ("done", "failed")
    return JSONResponse(
        jsonable_encoder(view),
        status_code=200 if done else 202,
        headers=None if done else {"Location": f"/imports/{job_id}"},
    )


@router.get("/imports/{job_id}", summary="上报进度与结果 an upload's progress and result")
def get_import(job_id: int, conn: ConnDep) -> dict[str, Any]:
    view = store.job_view(conn, job_id)
    if view is None:
        raise NotFoundError(f"上报记录不存在 no upload {job_id}")
    return jsonable_encoder(view)


@router.get(
    "/imports/{job_id}/files/{seq}/report.xlsx",
    summary="错误报告 the error workbook of one uploaded file",
    response_class=Response,
)
def get_report(job_id: int, seq: int, conn: ConnDep) -> Response:
    found = store.report(conn, job_id, seq)
    if found is None:
        raise NotFoundError(f"没有错误报告 no error report for upload {job_id} file {seq}")
    name, body = found
    filename = f"{Path(name).stem}_错误报告.xlsx"
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": 'attachment; filename="report.xlsx"; '
            f"filename*=UTF-8''{quote(filename)}"
        },
    )
