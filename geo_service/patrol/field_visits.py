"""A visit recorded on a team member's phone, written once however often it is sent.

The phone makes the visit's id (a UUID) when the visit is recorded and keeps the visit until
the server has it; a retry, a lost answer or a double tap sends the same id again. The row in
`field_visits` is inserted first, under a unique key on that id: a second request with the id
waits for the first one's transaction and then finds the row, so the visit's consequences are
written exactly once. Those consequences are `record_visit`'s, the function behind
`geo-service routes record`: review_visits rows, hazards rectified/reopened/created, a review
inspection and the house's last inspection day.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import Connection, text

from geo_service.clock import town_tz
from geo_service.domain.rules import RuleParams
from geo_service.errors import NotFoundError, ValidationError
from geo_service.patrol.photos import MAX_PHOTOS_PER_VISIT, Photo, store_photos
from geo_service.patrol.visits import NewHazard, Visit, record_visit

STATUSES = ("visited", "no_access", "refused")
# A phone's clock may run a little fast; a visit further in the future is a mistake.
FUTURE_TOLERANCE = timedelta(minutes=15)


@dataclass
class FieldVisit:
    """What the phone sends (the `visit` part of POST /routes/field/visits)."""

    client_id: UUID
    house_id: int
    status: str  # visited (已走访) / no_access (无人) / refused (拒绝入户)
    visited_at: datetime
    plan_ref: str | None = None
    team: int | None = None
    rectified: list[int] = field(default_factory=list)
    still_open: list[int] = field(default_factory=list)
    new_hazards: list[NewHazard] = field(default_factory=list)
    notes: str | None = None
    lon: float | None = None
    lat: float | None = None
    accuracy_m: float | None = None


def _validate(v: FieldVisit, photos: list[Photo], now: datetime) -> datetime:
    if v.status not in STATUSES:
        raise ValidationError(f"走访结果应为 已走访/无人/拒绝入户 (status): {v.status!r}")
    if v.status != "visited" and (v.rectified or v.still_open or v.new_hazards or photos):
        raise ValidationError(
            "未能入户时不能记录隐患或照片 (no access excludes hazard outcomes and photos)"
        )
    if len(photos) > MAX_PHOTOS_PER_VISIT:
        raise ValidationError(f"每次走访最多 {MAX_PHOTOS_PER_VISIT} 张照片 (too many photos)")
    at = v.visited_at if v.visited_at.tzinfo else v.visited_at.replace(tzinfo=town_tz())
    if at > now + FUTURE_TOLERANCE:
        raise ValidationError(
            f"走访时间 {at.astimezone(town_tz()):%Y-%m-%d %H:%M} 晚于现在，请检查手机时间 "
            "(visit time is in the future)"
        )
    if (v.lon is None) != (v.lat is None):
        raise ValidationError("位置应同时给出经度和纬度 (position needs lon and lat)")
    if v.lon is not None and not (-180 <= v.lon <= 180 and -90 <= v.lat <= 90):
        raise ValidationError(f"位置超出范围 (position out of range): {v.lon}, {v.lat}")
    if v.accuracy_m is not None and v.accuracy_m < 0:
        raise ValidationError("定位精度不能为负 (accuracy must be ≥ 0)")
    return at


def _claim(conn: Connection, v: FieldVisit, username: str, at: datetime) -> int | None:
    """Insert the visit's row; None when its id is already taken (by an earlier send)."""
    known = conn.execute(
        text(
            "SELECT EXISTS (SELECT 1 FROM houses WHERE id = :h),"
            " CAST(:ref AS text) IS NULL OR EXISTS (SELECT 1 FROM route_plans WHERE ref = :ref)"
        ),
        {"h": v.house_id, "ref": v.plan_ref},
    ).one()
    if not known[0]:
        raise NotFoundError(f"房屋不存在 (no house {v.house_id})")
    if not known[1]:
        raise ValidationError(f"路线方案不存在 (no route plan {v.plan_ref!r})")
    return conn.execute(
        text(
            "INSERT INTO field_visits (client_id, username, house_id, plan_ref, team, status,"
            " visited_at, position, accuracy_m) VALUES (:cid, :u, :house, :ref, :team, :status,"
            " :at, CASE WHEN CAST(:lon AS float8) IS NULL THEN NULL"
            " ELSE ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) END, :acc)"
            " ON CONFLICT (client_id) DO NOTHING RETURNING id"
        ),
        {
            "cid": str(v.client_id),
            "u": username,
            "house": v.house_id,
            "ref": v.plan_ref,
            "team": v.team,
            "status": v.status,
            "at": at,
            "lon": v.lon,
            "lat": v.lat,
            "acc": v.accuracy_m,
        },
    ).scalar_one_or_none()


def _earlier(conn: Connection, v: FieldVisit, username: str) -> dict:
    row = conn.execute(
        text("SELECT id, username, house_id, result FROM field_visits WHERE client_id = :cid"),
        {"cid": str(v.client_id)},
    ).one()
    if row.username != username or row.house_id != v.house_id:
        raise ValidationError(
            f"记录编号 {v.client_id} 已用于另一条走访记录 (this id belongs to another visit)"
        )
    return row.result | {"field_visit_id": row.id, "duplicate": True}


def record_field_visit(
    conn: Connection,
    v: FieldVisit,
    photos: list[Photo],
    username: str,
    rules: RuleParams,
    now: datetime | None = None,
) -> dict:
    """Write the visit once; a repeated id returns the first write's result (`duplicate`)."""
    at = _validate(v, photos, now or datetime.now(town_tz()))
    visit_id = _claim(conn, v, username, at)
    if visit_id is None:
        return _earlier(conn, v, username)
    store_photos(conn, visit_id, v.house_id, photos)
    hazard_outcomes = bool(v.rectified or v.still_open or v.new_hazards)
    result = record_visit(
        conn,
        Visit(
            house_id=v.house_id,
            visited_at=at,
            rectified=v.rectified,
            still_open=v.still_open,
            new_hazards=v.new_hazards,
            no_access=v.status == "no_access",
            photos=list(dict.fromkeys(p.ref for p in photos)),
            notes=v.notes,
            plan_ref=v.plan_ref,
            team=None if v.team is None else f"第{v.team}组",
            recorded_by=username,
            refused=v.status == "refused",
            checked=v.status == "visited" and not hazard_outcomes,
        ),
        rules,
    )
    result |= {"client_id": str(v.client_id), "photos": [p.sha256 for p in photos]}
    conn.execute(
        text("UPDATE field_visits SET result = CAST(:r AS jsonb) WHERE id = :id"),
        {"r": json.dumps(result, ensure_ascii=False), "id": visit_id},
    )
    return result | {"field_visit_id": visit_id, "duplicate": False}
