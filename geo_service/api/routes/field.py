"""The field page's data: today's route of the member's team, visits sent from phones, photos."""

import json
from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, File, Form, Path, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from pydantic import ValidationError as PydanticError

from geo_service import configfiles
from geo_service.api.deps import ConnDep, CurrentUser, SettingsDep, TodayDep
from geo_service.api.routes.patrol import NewHazardBody
from geo_service.errors import ValidationError
from geo_service.patrol.field import today_route
from geo_service.patrol.field_visits import FieldVisit, record_field_visit
from geo_service.patrol.photos import MAX_PHOTO_BYTES, load_photo, read_photo
from geo_service.patrol.visits import NewHazard

router = APIRouter(prefix="/routes", tags=["field 巡查走访"])


@router.get("/field/today", summary="今日路线 today's published route of my team")
def today(conn: ConnDep, user: CurrentUser, day: TodayDep) -> dict:
    return today_route(conn, user.username, day)


class FieldVisitBody(BaseModel):
    """One visit as the phone sends it; `visited_at` without a zone is local time."""

    client_id: UUID
    house_id: int
    status: str = Field(description="visited (已走访) / no_access (无人) / refused (拒绝入户)")
    visited_at: datetime
    plan_ref: str | None = None
    team: int | None = None
    rectified: list[int] = Field(default_factory=list)
    still_open: list[int] = Field(default_factory=list)
    new_hazards: list[NewHazardBody] = Field(default_factory=list)
    notes: str | None = Field(default=None, max_length=2000)
    lon: float | None = None
    lat: float | None = None
    accuracy_m: float | None = None


def _body(raw: str) -> FieldVisitBody:
    try:
        return FieldVisitBody.model_validate(json.loads(raw))
    except (json.JSONDecodeError, PydanticError) as e:
        raise ValidationError(f"走访记录格式有误 (visit is not valid): {e}") from None


@router.post(
    "/field/visits",
    summary="上传走访记录 record a visit from a phone (once per client_id)",
    status_code=201,
    responses={200: {"description": "already recorded: the first result (duplicate: true)"}},
)
def field_visit(
    conn: ConnDep,
    user: CurrentUser,
    settings: SettingsDep,
    visit: Annotated[str, Form(description="the visit as JSON (FieldVisitBody)")],
    photos: Annotated[list[UploadFile] | None, File(description="photos (JPEG/PNG/WebP)")] = None,
) -> JSONResponse:
    body = _body(visit)
    read = []
    for f in photos or []:
        data = f.file.read(MAX_PHOTO_BYTES + 1)
        read.append(read_photo(data, f.filename or ""))
    result = record_field_visit(
        conn,
        FieldVisit(
            client_id=body.client_id,
            house_id=body.house_id,
            status=body.status,
            visited_at=body.visited_at,
            plan_ref=body.plan_ref,
            team=body.team,
            rectified=body.rectified,
            still_open=body.still_open,
            new_hazards=[
                NewHazard(h.category, h.severity, h.description) for h in body.new_hazards
            ],
            notes=body.notes,
            lon=body.lon,
            lat=body.lat,
            accuracy_m=body.accuracy_m,
        ),
        read,
        user.username,
        configfiles.rules(settings),
    )
    return JSONResponse(result, status_code=200 if result["duplicate"] else 201)


@router.get("/photos/{sha256}", summary="走访照片 a visit photo by its SHA-256")
def photo(sha256: Annotated[str, Path(pattern="^[0-9a-fA-F]{64}$")], conn: ConnDep) -> Response:
    p = load_photo(conn, sha256)
    return Response(
        p.data,
        media_type=p.media_type,
        headers={"ETag": f'"{p.sha256}"', "Cache-Control": "private, max-age=86400"},
    )
