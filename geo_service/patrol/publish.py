"""Publishing a plan to its teams (发布) and the plans made so far.

A published plan is the one the teams of its day follow: its team members (队员) — accounts of
the supervision group or the police, the roles that record review visits — find their team's
route on the field page (/field). One plan is published per day; publishing another plan of
the same day withdraws the earlier one (its members then see the new one).
"""

from datetime import date, datetime

from sqlalchemy import Connection, text

from geo_service.clock import town_tz
from geo_service.errors import NotFoundError, ValidationError


def _local(at: datetime | None) -> str | None:
    """A moment as the town reads it (GEO_TIMEZONE), ISO 8601 with its offset."""
    return None if at is None else at.astimezone(town_tz()).isoformat(timespec="seconds")


def eligible_members(conn: Connection) -> list[dict]:
    """Accounts that may be put in a team: enabled supervision-group and police users."""
    rows = conn.execute(text("SELECT username, display_name, role FROM patrol_members()"))
    return [dict(r) for r in rows.mappings()]


def _plan_row(conn: Connection, ref: str):
    row = conn.execute(
        text("SELECT ref, plan_date, result FROM route_plans WHERE ref = :ref FOR UPDATE"),
        {"ref": ref},
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"路线方案不存在 (no route plan {ref!r})")
    return row


def _check_members(conn: Connection, plan: dict, members: dict[int, list[str]]) -> None:
    routed = {r["team"] for r in plan["routes"]}
    if stray := sorted(set(members) - routed):
        raise ValidationError(
            f"方案中没有这些组的路线 (no route for teams {stray}; teams with routes: "
            f"{sorted(routed)})"
        )
    seen: dict[str, int] = {}
    for team, names in sorted(members.items()):
        for name in names:
            if name in seen and seen[name] != team:
                raise ValidationError(
                    f"{name} 不能同时在第{seen[name]}组和第{team}组 (a member is in one team)"
                )
            seen[name] = team
    known = {m["username"] for m in eligible_members(conn)}
    if unknown := sorted(set(seen) - known):
        raise ValidationError(
            f"不是可用的督导组或派出所账号 (not an enabled supervisor or police account): "
            f"{'、'.join(unknown)}"
        )


def publish_plan(conn: Connection, ref: str, members: dict[int, list[str]], by: str) -> dict:
    """Publish plan `ref` with its team members (team number → usernames); returns what was
    published and which earlier plan of the day it withdrew."""
    row = _plan_row(conn, ref)
    _check_members(conn, row.result, members)
    withdrawn = list(
        conn.execute(
            text(
                "UPDATE route_plans SET published_at = NULL, published_by = NULL"
                " WHERE plan_date = :d AND ref <> :ref AND published_at IS NOT NULL RETURNING ref"
            ),
            {"d": row.plan_date, "ref": ref},
        ).scalars()
    )
    published = conn.execute(
        text(
            "UPDATE route_plans SET published_at = now(), published_by = :by WHERE ref = :ref"
            " RETURNING published_at"
        ),
        {"ref": ref, "by": by},
    ).scalar_one()
    conn.execute(text("DELETE FROM route_plan_members WHERE plan_ref = :ref"), {"ref": ref})
    rows = [
        {"ref": ref, "team": team, "username": name}
        for team, names in members.items()
        for name in dict.fromkeys(names)
    ]
    if rows:
        conn.execute(
            text(
                "INSERT INTO route_plan_members (plan_ref, team, username)"
                " VALUES (:ref, :team, :username)"
            ),
            rows,
        )
    routed = sorted(r["team"] for r in row.result["routes"])
    return {
        "ref": ref,
        "date": row.plan_date.isoformat(),
        "published_at": _local(published),
        "published_by": by,
        "members": {str(t): sorted(dict.fromkeys(n)) for t, n in sorted(members.items()) if n},
        "teams_without_members": [t for t in routed if not members.get(t)],
        "withdrawn": withdrawn,
    }


def list_plans(conn: Connection, since: date | None = None, limit: int = 50) -> list[dict]:
    """The plans made so far, newest first: their day, who made and published them, totals."""
    rows = conn.execute(
        text(
            "SELECT p.ref, p.plan_date, p.created_at, p.created_by, p.teams, p.published_at,"
            " p.published_by, p.result -> 'totals' AS totals, p.params,"
            " (SELECT jsonb_object_agg(t.team, t.names) FROM (SELECT team,"
            "   jsonb_agg(username ORDER BY username) AS names FROM route_plan_members"
            "   WHERE plan_ref = p.ref GROUP BY team) t) AS members"
            " FROM route_plans p"
            " WHERE CAST(:since AS date) IS NULL OR p.plan_date >= :since"
            " ORDER BY p.created_at DESC LIMIT :limit"
        ),
        {"since": since, "limit": limit},
    ).mappings()
    return [
        {
            "ref": r["ref"],
            "date": r["plan_date"].isoformat(),
            "created_at": _local(r["created_at"]),
            "created_by": r["created_by"],
            "teams": r["teams"],
            "published_at": _local(r["published_at"]),
            "published_by": r["published_by"],
            "totals": r["totals"],
            "members": r["members"] or {},
            "request": r["params"],
        }
        for r in rows
    ]
