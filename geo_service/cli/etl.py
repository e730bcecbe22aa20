"""`geo-service import`, `geo-service geocode`, `geo-service demo export`: data in and out."""

import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from geo_service.cli.common import console, print_json, settings

if TYPE_CHECKING:
    from rich.progress import Progress


def _connect():
    import psycopg2

    from geo_service.db import check_reachable, database_url

    url = database_url(settings())
    check_reachable(url)
    return psycopg2.connect(url, application_name="geo-service import")


def _progress() -> "Progress":
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def import_files(
    paths: list[Path] = typer.Argument(..., help="xlsx / csv / geojson / gpkg / shp / zip"),
    strict: bool = typer.Option(
        True,
        "--strict/--accept-valid",
        help="strict: a file with any bad row is not imported at all; accept-valid: load the "
        "good rows and report the rest",
    ),
    layer: str = typer.Option(
        None,
        "--layer",
        help="layer kind when the file name does not say: units, urban_village, old_estate, "
        "resettlement_estate, rural_self_built, campus, schools, roads, addresses",
    ),
    crs: str = typer.Option(
        None, "--crs", help="coordinate system of the file: WGS84, CGCS2000, GCJ02, BD09"
    ),
    actor: str = typer.Option(None, "--actor", help="who imports (audit log); default OS user"),
    report: Path = typer.Option(
        None, "--report", help="error workbook path (default: next to each input)"
    ),
    min_confidence: float = typer.Option(
        None, "--min-confidence", help="geocoding threshold (default from town.toml, 0.80)"
    ),
    as_json: bool = typer.Option(False, "--json", help="print the results as JSON"),
    effective: str = typer.Option(
        None,
        "--effective",
        help="台账日期 YYYY-MM-DD: the day the houses' figures took effect (default: today in "
        "the town; an earlier day than a house's current figures goes into its history)",
    ),
) -> None:
    """导入 Import workbooks (单位/群租房/隐患/检查记录/警情) and GIS layers, one transaction each.

    Example: geo-service import 戴溪社区.xlsx 城中村.geojson 标准地址.zip
    A late 台账: geo-service import 戴溪社区9月.xlsx --effective 2026-09-30
    """
    os.nice(settings().import_nice)
    from etl.config import town_config
    from etl.context import ImportOptions, default_actor
    from etl.effective import parse_effective
    from etl.importer import import_file, import_order
    from etl.report import default_report_path, print_rejections, print_summary, write_report
    from geo_service.clock import town_today
    from geo_service.configfiles import rules
    from geo_service.crs import parse_coord_system

    today = town_today(settings())
    options = ImportOptions(
        strict=strict,
        actor=actor or default_actor(),
        crs=parse_coord_system(crs) if crs else None,
        layer=layer,
        min_confidence=min_confidence,
        town=town_config(settings()),
        rules=rules(settings()),
        today=today,
        effective=parse_effective(effective, today, "--effective 台账日期"),
    )
    paths = import_order(paths, layer)
    conn = _connect()
    results, failed = [], False
    try:
        with _progress() as progress:
            task = progress.add_task("导入 importing", total=len(paths))
            for path in paths:

                def stage(msg: str, task=task) -> None:
                    progress.update(task, description=msg)

                results.append(import_file(conn, path, options, on_stage=stage))
                progress.advance(task)
    finally:
        conn.close()
    everything, skipped, reports = [], [], {}
    for result in results:
        if not as_json:
            print_summary(console, result)
        if result.rejections:
            if not as_json:
                print_rejections(console, result.rejections)
            everything.extend(result.rejections)
            skipped.extend(result.skipped)
            if report is None:
                where = write_report(
                    result.rejections, default_report_path(result.path), result.skipped
                )
                reports[result.path] = where
                console.print(f"错误报告 error report: {where}")
        failed |= bool(result.rejections or result.error)
    if report is not None and everything:
        where = write_report(everything, report, skipped)
        reports = {r.path: where for r in results if r.rejections}
        console.print(f"错误报告 error report: {where}")
    if as_json:
        print_json([r.to_dict() | {"report": reports.get(r.path)} for r in results])
    if failed:
        raise typer.Exit(1)


def geocode(
    source: Path = typer.Argument(..., help="a CSV or xlsx with an address column"),
    output: Path = typer.Option(None, "--output", "-o", help="default: <name>_geocoded.csv"),
    address_column: str = typer.Option("地址", "--address-column", help="the address column"),
    unit_column: str = typer.Option(
        "所属单位", "--unit-column", help="optional unit column (restricts fuzzy matching)"
    ),
    min_confidence: float = typer.Option(None, "--min-confidence"),
) -> None:
    """地址定位 Geocode a CSV/xlsx of addresses offline against the standard addresses.

    Writes the input columns plus 经度, 纬度 (WGS84), 定位方式, 置信度, 需复核, 匹配地址.
    """
    from etl.geocode_file import geocode_file
    from etl.report import format_methods

    conn = _connect()
    try:
        written, counts = geocode_file(
            conn, source, output, address_column, unit_column, min_confidence
        )
    finally:
        conn.close()
    console.print(f"已写出 wrote {written}")
    console.print("定位方式 placed by: " + format_methods(counts))


def demo_export(
    directory: Path = typer.Argument(..., help="folder to write the templates and layers into"),
) -> None:
    """导出模板 Write the database out as the import templates (xlsx + GeoJSON layers).

    Importing the folder's files into an empty database reproduces it:
    geo-service import DIR/*.xlsx DIR/*.geojson
    """
    from etl.export import export_database

    conn = _connect()
    try:
        files = export_database(conn, directory)
    finally:
        conn.close()
    for f in files:
        console.print(f"  {f}")
    console.print(f"已导出 {len(files)} 个文件 exported to {directory}")
    console.print(f"导入 import with: geo-service import {directory}/*")
