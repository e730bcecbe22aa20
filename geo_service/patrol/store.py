"""Saving and reading route plans (route_plans, route_plan_routes, route_plan_stops)."""

import json
from datetime import date

from sqlalchemy import Connection, text

from geo_service.access.personal import house_contacts
from geo_service.errors import NotFoundError
from geo_service.patrol.result import RoutePlan


def save_plan(
    conn: Connection, plan: RoutePlan, instance: dict, params: dict, by: str | None
) -> str:
    """Store the plan, its solver input and its map layers; returns the plan's ref."""
    conn.execute(
        text(
            "INSERT INTO route_plans (ref, plan_date, created_by, teams, params, instance, result)"
            " VALUES (:ref, :d, :by, :teams, CAST(:params AS jsonb), CAST(:instance AS jsonb),"
            " CAST(:result AS jsonb))"
        ),
        {
            "ref": plan.ref,
            "d": date.fromisoformat(plan.date),
            "by": by,
            "teams": plan.teams,
            "params": json.dumps(params, ensure_ascii=False),
            "instance": json.dumps(instance),
            "result": plan.model_dump_json(),
        },
    )
    routes = [
        {
            "ref": plan.ref,
            "team": r.team,
            "stops": len(r.stops),
            "driving": r.driving_s,
            "distance": r.distance_m,
            "geom": json.dumps(r.geometry) if r.geometry else None,
        }
        for r in plan.routes
    ]
    if routes:
        conn.execute(
            text(
                "INSERT INTO route_plan_routes (plan_ref, team, stops, driving_s, distance_m, geom)"
                " VALUES (:ref, :team, :stops, :driving, :distance,"
                " ST_SetSRID(ST_GeomFromGeoJSON(:geom), 4326))"
            ),
            routes,
        )
    stops = [
        {
            "ref": plan.ref,
            "team": r.team,
            "seq": s.seq,
            "house": s.house_id,
            "arrival": s.arrival_s,
            "departure": s.departure_s,
        }
        for r in plan.routes
        for s in r.stops
    ]
    if stops:
        conn.execute(
            text(
                "INSERT INTO route_plan_stops (plan_ref, team, seq, house_id, arrival_s,"
                " departure_s, geom) SELECT :ref, :team, :seq, :house, :arrival, :departure,"
                " geom FROM houses WHERE id = :house"
            ),
            stops,
        )
    return plan.ref


def load_plan(conn: Connection, ref: str) -> tuple[RoutePlan, dict]:
    """(plan, instance) of a saved plan, or NotFoundError."""
    row = conn.execute(
        text("SELECT result, instance FROM route_plans WHERE ref = :ref"), {"ref": ref}
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"路线方案不存在 (no route plan {ref!r})")
    return RoutePlan.model_validate(row.result), row.instance


def landlord_contacts(conn: Connection, house_ids: list[int]) -> dict[int, tuple[str, str | None]]:
    """Landlord name and phone per house — personal data: only for a sheet that may show it.

    Read through the database's house_contacts(): masked unless the caller may see them,
    and every unmasked read is written to the audit log.
    """
    contacts = house_contacts(conn, house_ids)
    return {i: (c.landlord_name, c.landlord_phone) for i, c in contacts.items()}
