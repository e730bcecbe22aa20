"""`geo-service routes …`: review-phase (回头看) patrol routes."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from geo_service.cli.common import console, engine, print_json, settings
from geo_service.cli.scope_options import (
    Category,
    Department,
    From,
    Group,
    KeyArea,
    Severity,
    To,
    Unit,
    scope_of,
)
from geo_service.clock import town_today
from geo_service.configfiles import risk_weights, route_params, rules
from geo_service.errors import ValidationError
from geo_service.patrol import network
from geo_service.patrol.config import format_hhmm, parse_hhmm
from geo_service.patrol.exports import write_team_files
from geo_service.patrol.plan import PlanRequest, plan_routes
from geo_service.patrol.result import RoutePlan
from geo_service.patrol.sheet import route_sheet_html
from geo_service.patrol.store import landlord_contacts, load_plan, save_plan
from geo_service.patrol.targets import select_targets
from geo_service.patrol.visits import NewHazard, Visit, record_visit
from geo_service.scope import parse_date

app = typer.Typer(
    help="回头看巡查路线 Review-phase patrol routes: targets, plans, exports, visit records.",
    no_args_is_help=True,
)
out = Console(highlight=False)

DateOpt = typer.Option(None, "--date", help="as of this day (YYYY-MM-DD), default today")
HouseOpt = typer.Option([], "--house", help="add a house by id (repeatable)")


def _day(value: str | None) -> date:
    return town_today(settings()) if value is None else parse_date(value, "--date")


def _windows(values: list[str]) -> dict[int, tuple[int, int]]:
    windows = {}
    for value in values:
        try:
            house, span = value.split("=")
            a, b = span.split("-")
            windows[int(house)] = (parse_hhmm(a), parse_hhmm(b))
        except ValueError:
            raise ValidationError(
                f"可访时段格式应为 房屋ID=HH:MM-HH:MM (window must be ID=HH:MM-HH:MM): {value!r}"
            ) from None
    return windows


def _pins(values: list[str]) -> dict[int, int | None]:
    pins: dict[int, int | None] = {}
    for value in values:
        try:
            house, _, team = value.partition("=")
            pins[int(house)] = int(team) if team else None
        except ValueError:
            raise ValidationError(
                f"固定格式应为 房屋ID 或 房屋ID=组号 (pin must be ID or ID=TEAM): {value!r}"
            ) from None
    return pins


@app.command()
def targets(
    on: str | None = DateOpt,
    house: list[int] = HouseOpt,
    unit: Unit = None,
    key_area: KeyArea = None,
    category: Category = None,
    category_group: Group = None,
    severity: Severity = None,
    department: Department = None,
    found_from: From = None,
    found_to: To = None,
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """List the places to revisit as of a day, highest priority first; the filters narrow
    the houses and hazards considered (docs/filters.md)."""
    s = settings()
    scope = scope_of(
        as_of=on, unit=unit, key_area_kind=key_area, category=category,
        category_group=category_group, severity=severity, department=department,
        found_from=found_from, found_to=found_to,
    )  # fmt: skip
    with engine().connect() as conn:
        found = select_targets(
            conn, scope.as_of, route_params(s), rules(s), house, weights=risk_weights(s),
            scope=scope,
        )  # fmt: skip
    if as_json:
        print_json([t.to_dict() for t in found])
        return
    table = Table(title=f"回头看目标 review targets ({len(found)})")
    for col in ("房屋ID", "编号", "地址", "优先级", "停留(分)", "原因", "需核查隐患"):
        table.add_column(col)
    for t in found:
        table.add_row(
            str(t.house_id),
            t.house_code,
            t.address,
            str(t.priority),
            str(t.service_s // 60),
            "；".join(t.reasons_zh),
            "；".join(h["label_zh"] for h in t.hazards),
        )
    out.print(table)


def _print_plan(plan: RoutePlan) -> None:
    for route in plan.routes:
        table = Table(
            title=f"{route.team_name} · {route.depot} · {route.start}–{route.end} · "
            f"行车 {route.driving_s // 60} 分钟 {route.distance_m / 1000:.1f} 公里"
        )
        for col in ("序号", "到达", "开始", "离开", "编号", "地址", "原因"):
            table.add_column(col)
        for s in route.stops:
            table.add_row(
                str(s.seq),
                s.arrival,
                s.service_start,
                s.departure,
                s.house_code,
                s.address,
                "；".join(s.reasons_zh),
            )
        out.print(table)
    t = plan.totals
    out.print(
        f"方案 plan {plan.ref}: {t.stops}/{t.targets} 处排入, 行车 {t.driving_s // 60} "
        f"分钟 (cost {plan.cost} s), {t.distance_m / 1000:.1f} 公里; 未排入 unassigned "
        f"{t.unassigned}"
    )
    from geo_service.cli.unassigned import summary_lines

    for line in summary_lines([u.model_dump() for u in plan.unassigned]):
        out.print(line)


def _write_exports(conn, plan: RoutePlan, out_dir: Path, with_contacts: bool) -> list[Path]:
    files = write_team_files(plan, out_dir)
    contacts = landlord_contacts(conn, plan.stop_house_ids()) if with_contacts else None
    sheet = out_dir / f"{plan.ref}-sheet.html"
    sheet.write_text(route_sheet_html(plan, contacts), encoding="utf-8")
    return [*files, sheet]


@app.command()
def plan(
    on: str | None = DateOpt,
    teams: int = typer.Option(..., "--teams", help="number of teams (vehicles)"),
    start: str | None = typer.Option(None, "--start", help="shift start HH:MM (default 08:30)"),
    end: str | None = typer.Option(None, "--end", help="shift end HH:MM (default 17:30)"),
    depot: list[str] = typer.Option(
        [],
        "--depot",
        help="town_government (镇政府), police_station (派出所) or LON,LAT; repeat for "
        "per-team depots (team i uses depot i mod count); default town_government",
    ),
    house: list[int] = HouseOpt,
    window: list[str] = typer.Option([], "--window", help="visiting hours ID=HH:MM-HH:MM"),
    max_targets: int | None = typer.Option(
        None, "--max-targets", help="plan at most this many targets, highest priority first"
    ),
    exclude: list[int] = typer.Option([], "--exclude", help="leave this house out (repeatable)"),
    pin: list[str] = typer.Option(
        [], "--pin", help="keep a house at the highest priority: ID, or ID=TEAM for one team"
    ),
    as_json: bool = typer.Option(False, "--json", help="print the plan as JSON"),
    export_instance: Path | None = typer.Option(
        None, "--export-instance", help="write the solver input (VROOM JSON) to this file"
    ),
    out_dir: Path | None = typer.Option(
        None, "--out", help="write GPX + KML per team and the route sheet here"
    ),
    with_contacts: bool = typer.Option(
        False, "--with-contacts", help="print landlord contacts on the sheet (personal data)"
    ),
    by: str = typer.Option("cli", "--by", help="who plans (recorded with the plan)"),
) -> None:
    """Plan the day's routes for several teams; the plan is saved and can be exported."""
    s = settings()
    params = route_params(s)
    req = PlanRequest(
        _day(on),
        teams,
        None if start is None else parse_hhmm(start),
        None if end is None else parse_hhmm(end),
        depot or ["town_government"],
        house,
        _windows(window),
        max_targets,
        exclude,
        _pins(pin),
    )
    with engine().begin() as conn:
        result, instance = plan_routes(conn, req, params, rules(s), weights=risk_weights(s))
        saved_params = {
            "teams": teams,
            "shift": result.shift.model_dump(),
            "depots": req.depots,
            "house_ids": house,
            "windows": {k: [format_hhmm(a), format_hhmm(b)] for k, (a, b) in req.windows.items()},
            "exclude_house_ids": exclude,
            "pins": req.pins,
        }
        save_plan(conn, result, instance, saved_params, by)
        files = _write_exports(conn, result, out_dir, with_contacts) if out_dir else []
    if export_instance:
        export_instance.write_text(json.dumps(instance), encoding="utf-8")
        console.print(f"solver input written to {export_instance} (VROOM JSON)")
    if as_json:
        print_json(result.model_dump(mode="json"))
    else:
        _print_plan(result)
    for f in files:
        console.print(f"written {f}")


@app.command()
def export(
    ref: str = typer.Argument(..., help="plan reference, e.g. RP20261201-a1b2c3"),
    out_dir: Path = typer.Option(Path("."), "--out", help="directory to write into"),
    with_contacts: bool = typer.Option(False, "--with-contacts", help="landlord contacts"),
) -> None:
    """Write a saved plan's GPX/KML per team, route sheet and solver input."""
    with engine().connect() as conn:
        result, instance = load_plan(conn, ref)
        files = _write_exports(conn, result, out_dir, with_contacts)
    path = out_dir / f"{ref}-instance.json"
    path.write_text(json.dumps(instance), encoding="utf-8")
    for f in [*files, path]:
        console.print(f"written {f}")


def _new_hazard(value: str) -> NewHazard:
    parts = value.split(":", 2)
    return NewHazard(
        parts[0],
        parts[1] if len(parts) > 1 and parts[1] else None,
        parts[2] if len(parts) > 2 else None,
    )


@app.command()
def record(
    house: int = typer.Option(..., "--house", help="house id"),
    at: str | None = typer.Option(None, "--at", help="visited at 'YYYY-MM-DD HH:MM', default now"),
    rectified: list[int] = typer.Option([], "--rectified", help="hazard id found rectified"),
    still_open: list[int] = typer.Option([], "--still-open", help="hazard id still open"),
    new_hazard: list[str] = typer.Option(
        [], "--new-hazard", help="CATEGORY[:major|general[:description]] found on the visit"
    ),
    checked: bool = typer.Option(
        False, "--checked", help="entered and checked; nothing to record on a hazard"
    ),
    no_access: bool = typer.Option(False, "--no-access", help="nobody home / no entry"),
    refused: bool = typer.Option(False, "--refused", help="the occupants refused entry"),
    not_found: bool = typer.Option(False, "--not-found", help="house not found at the address"),
    photo: list[str] = typer.Option([], "--photo", help="photo reference (repeatable)"),
    notes: str | None = typer.Option(None, "--notes"),
    plan_ref: str | None = typer.Option(None, "--plan", help="the route plan visited"),
    team: str | None = typer.Option(None, "--team"),
    by: str = typer.Option("cli", "--by", help="who records"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Record what a visit found: hazards rectified / still open / new, photos, notes."""
    try:
        visited = datetime.fromisoformat(at) if at else datetime.now(UTC)
    except ValueError:
        raise ValidationError(f"时间格式应为 'YYYY-MM-DD HH:MM' (--at): {at!r}") from None
    visit = Visit(
        house,
        visited,
        rectified,
        still_open,
        [_new_hazard(v) for v in new_hazard],
        no_access,
        not_found,
        photo,
        notes,
        plan_ref,
        team,
        by,
        refused,
        checked,
    )
    with engine().begin() as conn:
        result = record_visit(conn, visit, rules(settings()))
    if as_json:
        print_json(result)
        return
    out.print(
        f"已记录 recorded: house {house}, {len(result['visit_ids'])} 条结果, 隐患更新 "
        f"{result['hazards_updated']}, 新隐患 {result['hazards_created']}"
    )


@app.command()
def topology(
    rebuild: bool = typer.Option(False, "--rebuild", help="rebuild even if current"),
) -> None:
    """Build the routable topology from the roads layer and say how connected it is."""
    with engine().begin() as conn:
        topo = network.ensure_topology(conn, route_params(settings()), force=rebuild)
        pieces, vertices = network.components(conn)
    state = "rebuilt 已重建" if topo.rebuilt else "current 已是最新"
    out.print(
        f"roads {topo.edges} (one-way {topo.oneway}), vertices {vertices}, connected pieces "
        f"{pieces}: {state}"
    )
    if pieces > 1:
        out.print("注意: 路网不连通，部分目标可能无法到达 (the network has disconnected pieces)")
