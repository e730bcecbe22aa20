"""One file's import result as the page and `POST /imports` show it, and its error workbook.

The counts, rejections, warnings and notes are the engine's own (`etl.context.FileResult`),
the same the CLI prints; `outcome` says in one word what happened to the file.
"""

import tempfile
from dataclasses import asdict
from pathlib import Path

from etl.context import FileResult
from etl.rejections import Rejection
from etl.report import METHOD_ZH, write_report

OUTCOME_ZH = {
    "imported": "已导入",
    "partial": "已导入正确的行",
    "rolled_back": "未导入（有错误）",
    "failed": "未导入（无法处理）",
}


def outcome(result: FileResult) -> str:
    """imported / partial (valid rows kept, some refused) / rolled_back (strict: nothing
    written because of refused rows) / failed (the file could not be imported at all)."""
    if result.error:
        return "failed"
    if result.rolled_back:
        return "rolled_back"
    return "partial" if result.rejections else "imported"


def message(result: FileResult) -> str:
    """What happened to the file, in Chinese and English (as the CLI's closing line)."""
    n = result.rejected_rows
    if result.error:
        return result.error
    if result.rolled_back:
        return (
            f"{n} 行有错误，整个文件未导入（严格模式）；改正后重新上传，或勾选“只导入正确的行”。"
            f" / {n} rows have errors: nothing of this file was imported (strict)."
        )
    if n:
        return f"已导入正确的行，{n} 行被拒绝 / valid rows imported, {n} rejected"
    return "导入完成 / imported"


def summary(result: FileResult) -> dict:
    """The JSON of one file's result (without the file itself)."""
    return {
        "file": result.path.name,
        "outcome": outcome(result),
        "outcome_zh": OUTCOME_ZH[outcome(result)],
        "message": message(result),
        "written": not (result.rolled_back or result.error),
        "sheets": [asdict(s) for s in result.sheets],
        "rejected_rows": result.rejected_rows,
        "rejections": [_rejection(r) for r in result.rejections],
        "warnings": list(result.warnings),
        "notes": list(result.notes),
        "geocoded": {
            k: {"count": v, "zh": METHOD_ZH.get(k, k)} for k, v in result.geocoded.most_common()
        },
    }


def refused_file(name: str, reason: str) -> FileResult:
    """The result of a file refused before any import (not allowed, not readable)."""
    result = FileResult(Path(name))
    result.error = reason
    result.rolled_back = True
    return result


def report_bytes(rejections: list[Rejection], name: str) -> bytes | None:
    """The 错误报告 workbook of these rejections (etl.report.write_report), or None."""
    if not rejections:
        return None
    with tempfile.TemporaryDirectory(prefix="geo-report-") as tmp:
        path = write_report(rejections, Path(tmp) / f"{Path(name).stem}_错误报告.xlsx")
        return path.read_bytes()


def _rejection(r: Rejection) -> dict:
    return {
        "sheet": r.sheet,
        "row": r.row,
        "column": r.column,
        "value": r.value,
        "reason_zh": r.reason_zh,
        "reason_en": r.reason_en,
        "code": r.code,
    }
