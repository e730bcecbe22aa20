"""`geo-service overdue | scores | table | cctv | risk | bulletin`: the analytics at a terminal.

Each takes `--as-of DATE` (default today in the town) and the filters of every surface
(`cli.scope_options`, docs/filters.md); `--json` prints the same document the API returns.
Rules, rubric and risk weights are the files the settings name, as for the API.
"""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from geo_service import configfiles
from geo_service.analytics.cctv import cctv as cctv_report
from geo_service.analytics.overdue import overdue as overdue_report
from geo_service.analytics.risk import load_risk_weights
from geo_service.analytics.risk import risk as risk_report
from geo_service.analytics.scores import scores as scores_report
from geo_service.analytics.table import table_rows
from geo_service.analytics.table_xlsx import save_workbook
from geo_service.cli.common import console, engine, print_json, settings
from geo_service.cli.scope_options import (
    AsOf,
    Category,
    Department,
    From,
    Group,
    Json,
    KeyArea,
    Severity,
    Status,
    To,
    Unit,
    scope_of,
)
from geo_service.clock import town_today

out = Console()


def overdue(
    as_of: AsOf = None,
    due_within: Annotated[
        int | None, typer.Option("--due-within", help="also list hazards due within N days")
    ] = None,
    unit: Unit = None,
    key_area: KeyArea = None,
    category: Category = None,
    category_group: Group = None,
    severity: Severity = None,
    status: Status = None,
    department: Department = None,
    found_from: From = None,
    found_to: To = None,
    as_json: Json = False,
) -> None:
    """逾期未整改 Overdue hazards on D (and, with --due-within N, those due soon)."""
    f = scope_of(
        as_of=as_of, unit=unit, key_area_kind=key_area, category=category,
        category_group=category_group, severity=severity, status=status,
        department=department, found_from=found_from, found_to=found_to,
    )  # fmt: skip
    with engine().connect() as conn:
        report = overdue_report(conn, f, configfiles.rules(settings()), due_within)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    t = Table(title=f"逾期未整改隐患（截至 {f.as_of}）")
    for col in ("隐患编号", "单位", "房屋", "类别", "等级", "整改期限", "状态", "责任部门"):
        t.add_column(col)
    for i in report.items:
        state = f"逾期{i.days_overdue}天" if i.status == "overdue" else f"{i.days_left}天后到期"
        sev = "重大" if i.severity == "major" else "一般"
        t.add_row(
            i.hazard_code, i.unit, i.house_code, i.category_zh, sev, str(i.due_on), state,
            i.department,
        )  # fmt: skip
    out.print(t)
    console.print(
        f"逾期 overdue: {report.overdue_count}  即将到期 due soon: {report.due_soon_count}"
    )


def scores(
    as_of: AsOf = None,
    unit: Unit = None,
    key_area: KeyArea = None,
    category: Category = None,
    category_group: Group = None,
    severity: Severity = None,
    status: Status = None,
    department: Department = None,
    found_from: From = None,
    found_to: To = None,
    no_records: Annotated[
        bool, typer.Option("--no-records", help="omit the codes behind each deduction")
    ] = False,
    as_json: Json = False,
) -> None:
    """附件1 Scores of every village/community on D, with the records behind each deduction."""
    f = scope_of(
        as_of=as_of, unit=unit, key_area_kind=key_area, category=category,
        category_group=category_group, severity=severity, status=status,
        department=department, found_from=found_from, found_to=found_to,
    )  # fmt: skip
    s = settings()
    with engine().connect() as conn:
        rubric = configfiles.rubric(s)
        report = scores_report(conn, f, configfiles.rules(s), rubric, records=not no_records)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    if not report.units:
        console.print("没有村（社区） no villages or communities")
        return
    t = Table(title=f"{report.rubric}（截至 {f.as_of}）")
    t.add_column("排名")
    t.add_column("单位")
    t.add_column("总分")
    for sec in report.units[0].sections:
        t.add_column(f"{sec.label_zh}({sec.points:g})")
    for u in report.units:
        t.add_row(str(u.rank), u.unit, f"{u.total:g}", *(f"{x.score:g}" for x in u.sections))
    out.print(t)


def table(
    out_file: Annotated[Path, typer.Option("--out", help="the .xlsx file to write")],
    as_of: AsOf = None,
    unit: Unit = None,
    key_area: KeyArea = None,
    category: Category = None,
    category_group: Group = None,
    severity: Severity = None,
    status: Status = None,
    department: Department = None,
    found_from: From = None,
    found_to: To = None,
    as_json: Json = False,
) -> None:
    """附件2 Write the statistics table of D as an Excel workbook."""
    f = scope_of(
        as_of=as_of, unit=unit, key_area_kind=key_area, category=category,
        category_group=category_group, severity=severity, status=status,
        department=department, found_from=found_from, found_to=found_to,
    )  # fmt: skip
    with engine().connect() as conn:
        report = table_rows(conn, f, configfiles.rules(settings()))
    save_workbook(report, out_file)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    t = Table(title=f"附件2 统计表（截至 {f.as_of}，节选比率 %）")
    t.add_column("单位")
    from geo_service.analytics.bulletin import RATE_ZH  # matplotlib: only when needed

    for code in RATE_ZH.values():
        t.add_column(code)
    for row in report.rows:
        t.add_row(row.unit, *(r.display for r in row.rates.values()))
    out.print(t)
    console.print(f"已写入 written: {out_file}")


def cctv(
    as_of: AsOf = None,
    unit: Unit = None,
    key_area: KeyArea = None,
    fire_kit: Annotated[
        bool, typer.Option("--fire-kit", help="also list houses with missing fire kit")
    ] = False,
    as_json: Json = False,
) -> None:
    """视频监控 Houses breaking the CCTV rule (≥10 rooms/beds/tenants), with the reason."""
    f = scope_of(as_of=as_of, unit=unit, key_area_kind=key_area)
    with engine().connect() as conn:
        report = cctv_report(conn, f, configfiles.rules(settings()), fire_kit=fire_kit)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    t = Table(title="视频监控 / 消防器材不符合规定的群租房")
    for col in ("单位", "房屋", "地址", "原因"):
        t.add_column(col)
    for h in report.houses:
        t.add_row(h.unit, h.house_code, h.address, h.reason_zh)
    out.print(t)
    req = sum(u.cctv_required for u in report.units)
    ok = sum(u.cctv_compliant for u in report.units)
    console.print(f"应安装 required: {req}  合规 compliant: {ok}  不合规 violations: {req - ok}")


def _computed_note(report) -> str:
    """风险排名计算于 …, and whether it is the maintained ranking and still current."""
    from geo_service.clock import town_tz

    at = report.computed_at.astimezone(town_tz(settings())).strftime("%Y-%m-%d %H:%M")
    if not report.maintained:
        return f"风险排名计算于 {at}（即时计算 computed now）"
    if report.stale:
        return f"风险排名计算于 {at}（数据已更新，排名正在重新计算 data changed since: refreshing）"
    return f"风险排名计算于 {at}"


def _refresh_risk() -> None:
    from geo_service.analytics import risk_table
    from geo_service.clock import town_today

    s = settings()
    run = risk_table.refresh(
        engine(), configfiles.rules(s), configfiles.risk_weights(s).params(), town_today(s)
    )
    if run is None:
        console.print("风险排名已是最新 the maintained risk ranking is current")
    else:
        console.print(
            f"风险排名已更新 risk ranking refreshed: {run.houses_scored} 户, "
            f"{run.took_ms / 1000:.1f} s (as of {run.as_of})"
        )


def risk(
    as_of: AsOf = None,
    limit: Annotated[int, typer.Option("--limit", help="how many houses")] = 20,
    weights: Annotated[
        Path | None,
        typer.Option(
            "--weights",
            help="try another weights TOML instead of GEO_RISK_WEIGHTS_PATH's (the API, the map "
            "and the patrol targets keep ranking with the configured one)",
        ),
    ] = None,
    unit: Unit = None,
    key_area: KeyArea = None,
    category: Category = None,
    category_group: Group = None,
    severity: Severity = None,
    status: Status = None,
    department: Department = None,
    found_from: From = None,
    found_to: To = None,
    as_json: Json = False,
    refresh: Annotated[
        bool,
        typer.Option(
            "--refresh",
            help="重新计算今日风险排名 recompute today's maintained ranking now, if stale (the "
            "server does it in the background after imports; this is for cron without one)",
        ),
    ] = False,
) -> None:
    """风险排序 The houses most worth inspecting, with their top risk factors."""
    if refresh:
        _refresh_risk()
        return
    f = scope_of(
        as_of=as_of, unit=unit, key_area_kind=key_area, category=category,
        category_group=category_group, severity=severity, status=status,
        department=department, found_from=found_from, found_to=found_to,
    )  # fmt: skip
    s = settings()
    w = load_risk_weights(weights) if weights else configfiles.risk_weights(s)
    with engine().connect() as conn:
        report = risk_report(conn, f, configfiles.rules(s), w, limit=limit)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    t = Table(title=f"群租房风险排序（截至 {f.as_of}，共 {report.houses_scored} 户）")
    t.caption = _computed_note(report)
    for col in ("名次", "房屋", "单位", "风险分", "主要因素"):
        t.add_column(col)
    for h in report.houses:
        why = "；".join(f"{x.label_zh} +{x.points:g}（{x.detail}）" for x in h.top_factors)
        t.add_row(str(h.rank), h.house_code, h.unit, f"{h.score:g}", why)
    out.print(t)


def bulletin(
    month: Annotated[str, typer.Option("--month", help="YYYY-MM")],
    out_dir: Annotated[Path, typer.Option("--out-dir", help="where to write")] = Path("."),
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="also print a PDF")] = True,
    months_back: Annotated[int, typer.Option("--months", help="months in the trend")] = 6,
    unit: Unit = None,
) -> None:
    """月度通报 Write the monthly bulletin as HTML (and PDF with Chromium when installed)."""
    s = settings()
    from geo_service.analytics import bulletin as bulletin_mod  # matplotlib, geopandas

    f = scope_of(unit=unit)
    with engine().connect() as conn:
        data = bulletin_mod.bulletin_data(
            conn, month, f, configfiles.rules(s), configfiles.rubric(s), months_back=months_back,
            today=town_today(s),
        )  # fmt: skip
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / f"bulletin-{month}.html"
    html_path.write_text(bulletin_mod.render_html(data), encoding="utf-8")
    console.print(f"HTML: {html_path}")
    if pdf:
        pdf_path = out_dir / f"bulletin-{month}.pdf"
        if bulletin_mod.html_to_pdf(html_path, pdf_path):
            console.print(f"PDF: {pdf_path} (Chromium {bulletin_mod.pdf_engine()})")
        else:
            console.print("未找到 Chromium，未生成 PDF (no PDF engine: install chromium)")


def register(app: typer.Typer) -> None:
    """Add the analytics commands to the `geo-service` app."""
    for fn in (overdue, scores, table, cctv, risk, bulletin):
        app.command(fn.__name__)(fn)
