"""The record of uploads in PostgreSQL: `import_jobs` (who, when, options, progress) and
`import_files` (each file kept with its SHA-256, its result and its error report).

Written by the owner (the request that accepts the files, the worker that imports them);
read by the API roles under row-level security (migration 0010): a village sees its unit's
uploads, a department its own, the police theirs, the administrator all of them.
"""

import hashlib
import json
from datetime import date
from typing import Any

from sqlalchemy import Connection, text

from geo_service.access.accounts import Principal

# A waiting or running job whose server has not touched it for this long was interrupted
# (the server stopped): its transaction never committed, so nothing of it was written.
STALE_AFTER_S = 120


def create_job(
    conn: Connection,
    user: Principal,
    files: list[tuple[str, bytes]],
    accept_valid: bool,
    crs: str | None,
    effective: date | None = None,
) -> int:
    """Record an upload and keep its files (owner connection); returns the job id."""
    job_id = conn.execute(
        text(
            "INSERT INTO import_jobs (username, role, unit_id, accept_valid, crs, effective,"
            " stage) VALUES (:u, :r, :unit, :av, :crs, :eff, '排队中 queued') RETURNING id"
        ),
        {
            "u": user.username,
            "r": user.role.value,
            "unit": user.unit_id,
            "av": accept_valid,
            "crs": crs,
            "eff": effective,
        },
    ).scalar_one()
    for seq, (name, content) in enumerate(files, 1):
        conn.execute(
            text(
                "INSERT INTO import_files (job_id, seq, file_name, size_bytes, sha256, content) "
                "VALUES (:j, :s, :n, :size, :sha, :c)"
            ),
            {
                "j": job_id,
                "s": seq,
                "n": name,
                "size": len(content),
                "sha": hashlib.sha256(content).hexdigest(),
                "c": content,
            },
        )
    return job_id


def job_files(conn: Connection, job_id: int) -> list[tuple[int, str, bytes]]:
    """(seq, name, content) of a job's files, for the worker (owner connection)."""
    rows = conn.execute(
        text("SELECT seq, file_name, content FROM import_files WHERE job_id = :j ORDER BY seq"),
        {"j": job_id},
    )
    return [(r.seq, r.file_name, bytes(r.content)) for r in rows]


def job_options(conn: Connection, job_id: int) -> tuple[bool, str | None, date | None]:
    row = conn.execute(
        text("SELECT accept_valid, crs, effective FROM import_jobs WHERE id = :j"), {"j": job_id}
    ).one()
    return row.accept_valid, row.crs, row.effective


def set_progress(
    conn: Connection, job_id: int, percent: float, stage: str, status: str = "running"
) -> None:
    conn.execute(
        text(
            "UPDATE import_jobs SET status = :st, percent = :p, stage = :s, heartbeat_at = now(),"
            " started_at = coalesce(started_at, now()) WHERE id = :j"
        ),
        {"j": job_id, "p": round(percent, 1), "s": stage[:300], "st": status},
    )


def touch(conn: Connection, job_ids: list[int]) -> None:
    """The jobs waiting or running in this server are alive."""
    conn.execute(
        text("UPDATE import_jobs SET heartbeat_at = now() WHERE id = ANY(:ids)"),
        {"ids": job_ids},
    )


def save_file_result(
    conn: Connection, job_id: int, seq: int, summary: dict, report: bytes | None
) -> None:
    conn.execute(
        text(
            "UPDATE import_files SET outcome = :o, result = CAST(:r AS jsonb), report = :rep "
            "WHERE job_id = :j AND seq = :s"
        ),
        {
            "j": job_id,
            "s": seq,
            "o": summary["outcome"],
            "r": json.dumps(summary, ensure_ascii=False, default=str),
            "rep": report,
        },
    )


def finish_job(conn: Connection, job_id: int, error: str | None = None) -> None:
    conn.execute(
        text(
            "UPDATE import_jobs SET status = :st, finished_at = now(), heartbeat_at = now(), "
            "percent = CASE WHEN :st = 'done' THEN 100 ELSE percent END, "
            "stage = CASE WHEN :st = 'done' THEN '完成 done' ELSE stage END, error = :e "
            "WHERE id = :j"
        ),
        {"j": job_id, "st": "failed" if error else "done", "e": error},
    )


# -- read under the user's database role (row-level security decides what is visible) --------

_JOB = f"""
    SELECT j.id, j.created_at, j.started_at, j.finished_at, j.username, j.role, j.unit_id,
           u.name AS unit_name, j.accept_valid, j.crs, j.effective, j.percent, j.stage, j.error,
           CASE WHEN j.status IN ('queued', 'running')
                 AND j.heartbeat_at < now() - interval '{STALE_AFTER_S} seconds'
                THEN 'failed' ELSE j.status END AS status,
           (j.status IN ('queued', 'running')
            AND j.heartbeat_at < now() - interval '{STALE_AFTER_S} seconds') AS interrupted
    FROM import_jobs j LEFT JOIN units u ON u.id = j.unit_id
"""
_FILES = """
    SELECT job_id, seq, file_name, size_bytes, sha256, outcome, result,
           report IS NOT NULL AS has_report
    FROM import_files WHERE job_id = ANY(:ids) ORDER BY job_id, seq
"""
INTERRUPTED = (
    "服务器在导入时停止，本次上报未写入任何数据，请重新上传 / interrupted: nothing written"
)


def job_view(conn: Connection, job_id: int) -> dict[str, Any] | None:
    """A job with its files' results, or None when it does not exist or is not visible."""
    jobs = _jobs(conn, " WHERE j.id = :id", {"id": job_id})
    return jobs[0] if jobs else None


def history(conn: Connection, limit: int = 200) -> list[dict[str, Any]]:
    """The latest visible jobs, newest first, with their files (results without rejections)."""
    return _jobs(
        conn, " ORDER BY j.created_at DESC, j.id DESC LIMIT :limit", {"limit": limit}, brief=True
    )


def report(conn: Connection, job_id: int, seq: int) -> tuple[str, bytes] | None:
    """(file name, 错误报告 workbook) of one visible file, or None."""
    row = conn.execute(
        text("SELECT file_name, report FROM import_files WHERE job_id = :j AND seq = :s"),
        {"j": job_id, "s": seq},
    ).first()
    if row is None or row.report is None:
        return None
    return row.file_name, bytes(row.report)


def _jobs(conn: Connection, tail: str, params: dict, brief: bool = False) -> list[dict]:
    jobs = [dict(r) for r in conn.execute(text(_JOB + tail), params).mappings()]
    if not jobs:
        return []
    by_id = {j["id"]: j | {"files": []} for j in jobs}
    for f in conn.execute(text(_FILES), {"ids": list(by_id)}).mappings():
        result = dict(f["result"] or {})
        if brief:
            result.pop("rejections", None)
        job = by_id[f["job_id"]]
        job["files"].append(
            {
                "seq": f["seq"],
                "file": f["file_name"],
                "size_bytes": f["size_bytes"],
                "sha256": f["sha256"],
                "outcome": f["outcome"],
                "report_url": (
                    f"/imports/{job['id']}/files/{f['seq']}/report.xlsx"
                    if f["has_report"]
                    else None
                ),
                **{k: v for k, v in result.items() if k not in ("file", "outcome")},
            }
        )
    for job in by_id.values():
        if job.pop("interrupted"):
            job["error"] = INTERRUPTED
        job["totals"] = totals(job["files"])
    return list(by_id.values())


COUNTS = ("inserted", "updated", "unchanged", "deleted", "rejected")


def totals(files: list[dict]) -> dict[str, int]:
    """新增/更新/未变/删除/拒绝 over the files' sheets; a file rolled back wrote nothing, so
    only its refused rows count."""
    out = dict.fromkeys(COUNTS, 0)
    for f in files:
        for sheet in f.get("sheets", []):
            for key in COUNTS:
                if key == "rejected" or f.get("written"):
                    out[key] += sheet.get(key, 0)
    return out
