"""`geo-service density | hotspots`: hazard density and incident hot spots at a terminal.

Options are the filters of every surface (`cli.scope_options`, docs/filters.md: `--unit` by
name or id, `--key-area`, `--category` and `--severity` in Chinese or as codes); `--json`
prints what the API returns.
"""

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from geo_service.cli.common import engine, print_json
from geo_service.cli.scope_options import (
    AsOf,
    Category,
    Department,
    Group,
    Json,
    KeyArea,
    Severity,
    Status,
    Unit,
    scope_of,
)
from geo_service.spatial import density as density_mod
from geo_service.spatial import incidents as incidents_mod

out = Console()

From = Annotated[str | None, typer.Option("--from", help="起 from (YYYY-MM-DD)")]
To = Annotated[str | None, typer.Option("--to", help="止 to (YYYY-MM-DD)")]


def density(
    as_of: AsOf = None,
    unit: Unit = None,
    key_area: KeyArea = None,
    category: Category = None,
    category_group: Group = None,
    severity: Severity = None,
    status: Status = None,
    department: Department = None,
    date_from: From = None,
    date_to: To = None,
    hexagons: Annotated[
        bool, typer.Option("--hex", help="densest hexagons instead of the per-unit table")
    ] = False,
    size_m: Annotated[float, typer.Option("--size-m", help="hexagon circumradius (m)")] = 200.0,
    top: Annotated[int, typer.Option("--top", help="hexagons to list")] = 20,
    json_out: Json = False,
) -> None:
    """隐患密度 Hazard density per village/community (per 100 houses), or per hexagon."""
    q = scope_of(
        as_of=as_of, unit=unit, key_area_kind=key_area, category=category,
        category_group=category_group, severity=severity, status=status, department=department,
        date_from=date_from, date_to=date_to,
    )  # fmt: skip
    with engine().connect() as conn:
        if hexagons:
            features, meta = density_mod.hexagons(conn, q, "hazards", size_m)
        else:
            features, meta = density_mod.units(conn, q)
    rows = [f["properties"] for f in json.loads(features)]
    if json_out:
        print_json({**meta, "rows": rows if not hexagons else rows[:top]})
        return
    if hexagons:
        table = Table(title=f"隐患密度（六边形 {meta['size_m']:g} m）截至 {meta['as_of']}")
        for col in ("i", "j", "隐患 hazards", "重大 major", "未整改 open", "逾期 overdue"):
            table.add_column(col, justify="right")
        for r in rows[:top]:
            table.add_row(*(str(r[k]) for k in ("i", "j", "count", "major", "open", "overdue")))
    else:
        table = Table(title=f"隐患密度（各村、社区）截至 {meta['as_of']}")
        table.add_column("单位 unit")
        heads = ("房屋 houses", "隐患 hazards", "逾期 overdue", "重大 major", "每百户 per 100")
        for col in heads:
            table.add_column(col, justify="right")
        for r in rows:
            rate = "—" if r["hazards_per_100_houses"] is None else f"{r['hazards_per_100_houses']}"
            table.add_row(
                r["name"], str(r["houses"]), str(r["hazards"]), str(r["overdue"]),
                str(r["major"]), rate,
            )  # fmt: skip
    out.print(table)


def hotspots(
    as_of: AsOf = None,
    unit: Unit = None,
    incident_type: Annotated[
        list[str] | None, typer.Option("--type", help="警情类别, e.g. 盗窃 (repeatable)")
    ] = None,
    date_from: From = None,
    date_to: To = None,
    size_m: Annotated[float, typer.Option("--size-m", help="hexagon circumradius (m)")] = 250.0,
    permutations: Annotated[
        int, typer.Option("--permutations", help="0 = normal approximation")
    ] = 0,
    json_out: Json = False,
) -> None:
    """警情热点 Getis-Ord Gi* hot and cold spots of incidents (90/95/99 % confidence)."""
    q = scope_of(
        as_of=as_of, unit=unit, category=incident_type, date_from=date_from, date_to=date_to
    )
    with engine().connect() as conn:
        features, summary = incidents_mod.hot_spots(
            conn, q, size_m, permutations, significant_only=True
        )
    cells = []
    for f in features:
        ring = f["geometry"]["coordinates"][0][:-1]
        centre = [round(sum(p[k] for p in ring) / len(ring), 6) for k in (0, 1)]
        cells.append({**f["properties"], "lon": centre[0], "lat": centre[1]})
    cells.sort(key=lambda c: (-c["confidence"], -abs(c["gi_z"])))
    if json_out:
        print_json({**summary, "cells": cells})
        return
    out.print(
        f"警情 {summary['incidents']} 起 · 网格 {summary['grid_cells']} 个六边形（{size_m:g} m）"
        f" · 截至 {summary['as_of']}"
    )
    if "warning" in summary:
        out.print(f"[yellow]{summary['warning']}[/]")
    table = Table(title="警情热点 Gi* hot spots")
    for col in ("类别 class", "警情 count", "z", "p", "经度 lon", "纬度 lat"):
        table.add_column(col, justify="right")
    for c in cells:
        table.add_row(
            c["label_zh"], str(c["count"]), f"{c['gi_z']:.2f}", f"{c['p_value']:.2g}",
            f"{c['lon']:.5f}", f"{c['lat']:.5f}",
        )  # fmt: skip
    out.print(table if cells else "没有显著的热点或冷点 (no significant hot or cold spot)")


def register(app: typer.Typer) -> None:
    """Add `density` and `hotspots` to the `geo-service` app."""
    app.command("density")(density)
    app.command("hotspots")(hotspots)
