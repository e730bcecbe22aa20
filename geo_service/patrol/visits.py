"""Recording what a review visit (回头看) found: hazards rectified, still open, new ones.

One call is one visit to one house, in one transaction: a `review_visits` row per outcome,
the hazards updated (rectified → rectified_on/verified_on set; a claimed rectification found
still open → reopened) or created, a `review` inspection of the house (it counts as inspected
for the next month's 排查率), and an `audit_log` row with before/after for every write: written
here for the CLI, and by the database's audit triggers for an API request (`app.username` set;
the API roles may not write `audit_log` themselves).
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Connection, text

from geo_service.clock import town_today, town_tz
from geo_service.domain.rules import RuleParams
from geo_service.domain.vocabulary import CATEGORY_BY_CODE, CATEGORY_BY_ZH
from geo_service.errors import NotFoundError, ValidationError


@dataclass(frozen=True)
class NewHazard:
    category: str  # code (lpg_cylinder) or Chinese label (违规使用液化气瓶)
    severity: str | None = None  # default: the category's default severity
    description: str | None = None


@dataclass
class Visit:
    house_id: int
    visited_at: datetime
    rectified: list[int] = field(default_factory=list)
    still_open: list[int] = field(default_factory=list)
    new_hazards: list[NewHazard] = field(default_factory=list)
    no_access: bool = False
    not_found: bool = False
    photos: list[str] = field(default_factory=list)
    notes: str | None = None
    plan_ref: str | None = None
    team: str | None = None
    recorded_by: str = "cli"
    refused: bool = False  # 拒绝入户: the occupants refused entry
    checked: bool = False  # 已走访: entered and checked, nothing to record on a hazard


@dataclass(frozen=True)
class _Audit:
    """Writes audit rows unless the database's triggers already do (an API request)."""

    actor: str
    by_triggers: bool

    def __call__(self, conn: Connection, action: str, table: str, key: object, before, after):
        if self.by_triggers:
            return
        conn.execute(
            text(
                "INSERT INTO audit_log (actor, action, table_name, record_key, before, after,"
                " detail) VALUES (:actor, :action, :table, :key, CAST(:before AS jsonb),"
                " CAST(:after AS jsonb), CAST(:detail AS jsonb))"
            ),
            {
                "actor": self.actor,
                "action": action,
                "table": table,
                "key": str(key),
                "before": None if before is None else json.dumps(before, ensure_ascii=False),
                "after": None if after is None else json.dumps(after, ensure_ascii=False),
                "detail": json.dumps({"source": "routes.record"}),
            },
        )


def _hazard_row(conn: Connection, hazard_id: int) -> dict:
    return conn.execute(
        text("SELECT to_jsonb(h) FROM hazards h WHERE id = :id FOR UPDATE"), {"id": hazard_id}
    ).scalar_one()


def _validate(conn: Connection, v: Visit, on: date) -> str:
    house_code = conn.execute(
        text("SELECT house_code FROM houses WHERE id = :id FOR UPDATE"), {"id": v.house_id}
    ).scalar_one_or_none()
    if house_code is None:
        raise NotFoundError(f"房屋不存在 (no house {v.house_id})")
    hazard_outcomes = v.rectified or v.still_open or v.new_hazards or v.checked
    if not (hazard_outcomes or v.no_access or v.not_found or v.refused):
        raise ValidationError(
            "请至少给出一个结果 (give at least one outcome: --rectified, --still-open, "
            "--new-hazard, --checked, --no-access, --refused or --not-found)"
        )
    if hazard_outcomes and (v.no_access or v.not_found or v.refused):
        raise ValidationError("未能入户时不能同时记录隐患结果 (no access excludes hazard outcomes)")
    if set(v.rectified) & set(v.still_open):
        raise ValidationError("同一隐患不能既已整改又仍未整改 (a hazard cannot be both)")
    ids = sorted(set(v.rectified) | set(v.still_open))
    rows = conn.execute(
        text("SELECT id, house_id, found_on FROM hazards WHERE id = ANY(:ids)"), {"ids": ids}
    ).all()
    known = {r.id: r for r in rows}
    for hazard_id in ids:
        row = known.get(hazard_id)
        if row is None or row.house_id != v.house_id:
            raise ValidationError(f"隐患 {hazard_id} 不属于房屋 {v.house_id} (hazard not at house)")
        if row.found_on > on:
            raise ValidationError(f"隐患 {hazard_id} 发现于走访之后 (found after the visit)")
    for h in v.new_hazards:
        if h.category not in CATEGORY_BY_CODE and h.category not in CATEGORY_BY_ZH:
            raise ValidationError(f"未知隐患类别 (unknown hazard category) {h.category!r}")
        if h.severity not in (None, "major", "general"):
            raise ValidationError(f"隐患等级应为 major/general (severity): {h.severity!r}")
    if v.plan_ref is not None:
        in_plan = conn.execute(
            text("SELECT 1 FROM route_plan_stops WHERE plan_ref = :ref AND house_id = :h"),
            {"ref": v.plan_ref, "h": v.house_id},
        ).first()
        if in_plan is None:
            raise ValidationError(f"房屋 {v.house_id} 不在路线方案 {v.plan_ref} 中 (not in plan)")
    return house_code


def _update_hazard(conn: Connection, audit: _Audit, hazard_id: int, sets: str, on: date) -> bool:
    before = _hazard_row(conn, hazard_id)
    conn.execute(
        text(f"UPDATE hazards SET {sets}, updated_at = now() WHERE id = :id"),
        {"id": hazard_id, "on": on},
    )
    after = _hazard_row(conn, hazard_id)
    audit(conn, "update", "hazards", hazard_id, before, after)
    return before != after


def _new_hazard(
    conn: Connection, audit: _Audit, v: Visit, h: NewHazard, code: str, on: date, inspection: int
) -> int:
    cat = CATEGORY_BY_CODE.get(h.category) or CATEGORY_BY_ZH[h.category]
    severity = h.severity or cat.default_severity.value
    hazard_id = conn.execute(
        text(
            "INSERT INTO hazards (hazard_code, house_id, category, severity, found_on,"
            " posted_on_wall, entered_in_system, description, inspection_id) VALUES (:code,"
            " :house, :cat, :sev, :on, false, false, :desc, :inspection) RETURNING id"
        ),
        {
            "code": code,
            "house": v.house_id,
            "cat": cat.code,
            "sev": severity,
            "on": on,
            "desc": h.description,
            "inspection": inspection,
        },
    ).scalar_one()
    audit(conn, "insert", "hazards", hazard_id, None, _hazard_row(conn, hazard_id))
    return hazard_id


def record_visit(conn: Connection, v: Visit, rules: RuleParams) -> dict:
    """Write the visit and its consequences; returns what was written."""
    # In an API request the logged-in user is the one recording (and the triggers audit).
    api_user = conn.execute(
        text("SELECT nullif(current_setting('app.username', true), '')")
    ).scalar_one()
    audit = _Audit(api_user or v.recorded_by, api_user is not None)
    tz = town_tz()  # a time without a zone is the town's local time
    at = v.visited_at if v.visited_at.tzinfo else v.visited_at.replace(tzinfo=tz)
    on = at.astimezone(tz).date()
    house_code = _validate(conn, v, on)
    outcomes: list[tuple[str, int | None]] = []
    changed: list[int] = []
    for hazard_id in v.rectified:
        # Confirmed fixed: the fix date stays if one was reported, else it is the visit day.
        sets = "rectified_on = coalesce(rectified_on, :on), verified_on = :on"
        rectified_on = _hazard_row(conn, hazard_id)["rectified_on"]
        if rectified_on is not None and date.fromisoformat(rectified_on) > on:
            raise ValidationError(f"隐患 {hazard_id} 的整改日期晚于走访 (rectified after visit)")
        if _update_hazard(conn, audit, hazard_id, sets, on):
            changed.append(hazard_id)
        outcomes.append(("rectified", hazard_id))
    for hazard_id in v.still_open:
        # A rectification reported earlier that the review does not confirm is reopened.
        if _hazard_row(conn, hazard_id)["rectified_on"] is not None and _update_hazard(
            conn, audit, hazard_id, "rectified_on = NULL, verified_on = NULL", on
        ):
            changed.append(hazard_id)
        outcomes.append(("still_open", hazard_id))
    # The visit is a 回头看 inspection (source 'visit'); it found a hazard when it recorded a
    # new one, and nothing is known when nobody got in (docs/inspections.md).
    entered = bool(v.rectified or v.still_open or v.new_hazards or v.checked)
    inspection = conn.execute(
        text(
            "INSERT INTO inspections (house_id, inspected_on, kind, inspector, notes, unit_name,"
            " found_hazard, source) VALUES (:h, :on, 'review', :by, :notes, :team, :found,"
            " 'visit') RETURNING id, to_jsonb(inspections)"
        ),
        {
            "h": v.house_id,
            "on": on,
            "by": audit.actor,
            "notes": v.notes,
            "team": v.team,
            "found": bool(v.new_hazards) if entered else None,
        },
    ).one()
    audit(conn, "insert", "inspections", inspection[0], None, inspection[1])
    created = []
    for n, h in enumerate(v.new_hazards, start=1):
        code = f"RV-{house_code}-{at.astimezone(tz):%Y%m%d%H%M}-{n}"
        created.append(_new_hazard(conn, audit, v, h, code, on, inspection[0]))
        outcomes.append(("new_hazard", created[-1]))
    if v.checked:
        outcomes.append(("checked", None))
    if v.no_access:
        outcomes.append(("no_access", None))
    if v.refused:
        outcomes.append(("refused", None))
    if v.not_found:
        outcomes.append(("not_found", None))

    visit_ids = []
    for outcome, hazard_id in outcomes:
        row = conn.execute(
            text(
                "INSERT INTO review_visits (house_id, hazard_id, plan_ref, team, visited_at,"
                " outcome, photos, notes, recorded_by) VALUES (:house, :hazard, :ref, :team, :at,"
                " :outcome, CAST(:photos AS jsonb), :notes, :by)"
                " RETURNING id, to_jsonb(review_visits)"
            ),
            {
                "house": v.house_id,
                "hazard": hazard_id,
                "ref": v.plan_ref,
                "team": v.team,
                "at": at,
                "outcome": outcome,
                "photos": json.dumps(v.photos, ensure_ascii=False),
                "notes": v.notes,
                "by": audit.actor,
            },
        ).one()
        visit_ids.append(row[0])
        audit(conn, "insert", "review_visits", row[0], None, row[1])

    last = conn.execute(
        text("SELECT last_inspected_on FROM houses WHERE id = :h"), {"h": v.house_id}
    ).scalar_one()
    if last is None or last < on:
        # The CLI's visits take effect today, as an API request's do (house history).
        conn.execute(
            text(
                "SELECT set_config('geo.effective', coalesce(CAST(house_effective_on() AS text),"
                " :today), true)"
            ),
            {"today": town_today().isoformat()},
        )
        conn.execute(
            text("UPDATE houses SET last_inspected_on = :on, updated_at = now() WHERE id = :h"),
            {"h": v.house_id, "on": on},
        )
        audit(
            conn,
            "update",
            "houses",
            v.house_id,
            {"last_inspected_on": None if last is None else last.isoformat()},
            {"last_inspected_on": on.isoformat()},
        )
    return {
        "house_id": v.house_id,
        "visited_at": at.isoformat(),
        "visit_ids": visit_ids,
        "outcomes": [{"outcome": o, "hazard_id": h} for o, h in outcomes],
        "hazards_updated": changed,
        "hazards_created": created,
        "inspection_id": inspection[0],
    }
