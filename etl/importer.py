"""`import_file`: one file, one transaction — every valid row lands, or (strict) nothing does.

The file's sheets (or its layer) are checked and upserted inside a single transaction on a
connection without autocommit. With `strict` (the default) any rejected row rolls the whole
file back; with `strict=False` the valid rows are kept and the rest reported. An exception,
Ctrl-C or a killed process leaves nothing behind: the transaction never commits, and the
staging tables are temporary (`ON COMMIT DROP`).
"""

from collections.abc import Callable
from pathlib import Path

import psycopg2

from etl import checks, layers, vector
from etl.context import Context, FileResult, ImportOptions, SheetResult
from etl.parse import parse_sheet
from etl.readers import CSV_SUFFIXES, EXCEL_SUFFIXES, read_csv, read_excel
from etl.rejections import RejectionList
from etl.sheet_units import units_from_sheet_name
from etl.sheets import hazards, houses, incidents, inspections, units
from etl.templates import SHEETS
from geo_service.errors import ValidationError

LOADERS = {
    "单位": units.load,
    "群租房": houses.load,
    "隐患": hazards.load,
    "检查记录": inspections.load,
    "警情": incidents.load,
}

StageCallback = Callable[[str], None]


class _Rollback(Exception):
    """Raised inside the transaction to discard a strict import with rejected rows."""


def file_kind(path: Path, layer: str | None = None) -> str:
    """'table' for workbooks and CSV files, else the vector layer kind."""
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES or suffix in CSV_SUFFIXES:
        return "table"
    if suffix in vector.VECTOR_SUFFIXES or path.is_dir():
        return vector.detect_layer(path, layer)
    raise ValidationError(
        f"{path.name}: unsupported file type "
        "(不支持的文件类型；可导入 xlsx、csv、geojson、gpkg、shp、zip)"
    )


def import_file(
    conn,
    path: Path,
    options: ImportOptions,
    on_stage: StageCallback | None = None,
    hook: Callable[[Context, str], None] | None = None,
) -> FileResult:
    """Import one file in one transaction on `conn` (a psycopg2 connection).

    `on_stage` is told what is happening (for a progress display); `hook(ctx, sheet)` runs
    after each sheet is written, inside the transaction (tests inject failures with it).
    """
    if not path.exists():
        raise ValidationError(f"{path}: no such file (文件不存在)")
    kind = file_kind(path, options.layer)
    result = FileResult(path)
    say = on_stage or (lambda _msg: None)
    conn.autocommit = False
    try:
        with conn:  # commits when the block ends normally, rolls back on any exception
            ctx = Context(conn, path.name, options, result)
            result.effective = ctx.effective
            with conn.cursor() as cur:  # read by the house history triggers (migration 0014)
                cur.execute(
                    "SELECT set_config('geo.effective', %s, true),"
                    " set_config('app.import_actor', %s, true)",
                    (ctx.effective.isoformat(), options.actor),
                )
            if kind == "table":
                _import_tables(ctx, path, say, hook)
            else:
                layers.import_layer(ctx, path, kind, say)
                if hook:
                    hook(ctx, kind)
            if result.rejections and options.strict:
                raise _Rollback
            say("提交 commit")
    except _Rollback:
        result.rolled_back = True
    except psycopg2.DatabaseError as e:
        result.rolled_back = True
        detail = (e.pgerror or str(e)).strip().splitlines()[0]
        result.error = f"数据库拒绝了本文件，已全部回滚 / the database refused the file: {detail}"
    return result


def _import_tables(
    ctx: Context, path: Path, say: StageCallback, hook: Callable[[Context, str], None] | None
) -> None:
    say(f"读取 reading {path.name}")
    if path.suffix.lower() in EXCEL_SUFFIXES:
        sheets, notes = read_excel(path)
        ctx.result.notes.extend(notes)
    else:
        raw, encoding = read_csv(path)
        sheets = [raw]
        ctx.result.notes.append(f"{path.name}: 编码 encoding {encoding}")
    if not sheets:
        raise ValidationError(
            f"{path.name}: no template sheet found (未找到 单位/群租房/隐患/检查记录/警情 表)"
        )
    sheets.sort(key=lambda r: SHEETS.index(r.sheet))
    keys: dict[str, dict] = {}  # template → its keys so far, across the file's sheets
    for raw in sheets:
        say(f"{raw.source_name}: 检查并写入 checking and writing {len(raw.frame)} 行")
        if note := units_from_sheet_name(raw, ctx):
            ctx.result.notes.append(note)
        rejections = RejectionList(ctx.source, raw.source_name)
        parsed = parse_sheet(raw, rejections)
        rows = set(parsed.frame["_row"]) | {r.row for r in raw.refused}
        sheet_result = SheetResult(raw.source_name, rows=len(rows), skipped=len(raw.skipped))
        if parsed.ignored:
            ctx.result.notes.append(
                f"{raw.source_name}: 已忽略的列 ignored columns: {'、'.join(parsed.ignored)}"
            )
        if not parsed.fatal:
            seen = keys.setdefault(raw.sheet.name, {})
            checks.duplicates_across_sheets(parsed, raw.sheet.key_field, raw.source_name, seen)
            if ctx.options.scope is not None:  # rows the uploader may not change: refused first
                ctx.options.scope.check(parsed, ctx)
            LOADERS[raw.sheet.name](parsed, ctx, sheet_result)
        sheet_result.rejected = len(rejections.bad_rows & rows)
        ctx.result.rejections.extend(sorted(rejections.items, key=lambda r: r.row))
        ctx.result.skipped.extend(raw.skipped)
        ctx.result.warnings.extend(raw.warnings)
        ctx.result.sheets.append(sheet_result)
        if hook:
            hook(ctx, raw.sheet.name)


def import_order(paths: list[Path], layer: str | None = None) -> list[Path]:
    """Dependencies first: boundaries, other layers, standard addresses, then the sheets
    (单位 → 群租房 → 隐患 → 检查记录 → 警情), so houses find their units and addresses to
    geocode on."""
    from etl.templates import sheet_for_name

    def rank(path: Path) -> tuple[int, int, str]:
        kind = None
        try:
            kind = file_kind(path, layer)
        except ValidationError:
            return (99, 0, path.name)  # reported when its turn comes
        if kind != "table":
            return (0, vector.layer_rank(kind), path.name)
        sheet = sheet_for_name(path.stem)
        return (1, SHEETS.index(sheet) if sheet else 0, path.name)

    return sorted(paths, key=rank)
