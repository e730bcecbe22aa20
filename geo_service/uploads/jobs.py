"""The upload worker: one thread per server process imports the accepted uploads one after
the other, each file in one transaction of its own connection (the engine of
`geo-service import`), and records progress and results as it goes.

Why a connection of its own, not the request's: an import is one long transaction that must
commit or roll back on its own, while the request that accepted the files has answered (a
large file) or waits for it; progress is written on a second, autocommitted connection so that
`GET /imports/{id}` sees it while the import's transaction is still open.
"""

import logging
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import psycopg2
from sqlalchemy import Engine

from etl.context import FileResult, ImportOptions
from etl.importer import file_kind, import_file, import_order
from geo_service.access.accounts import Principal
from geo_service.config import Settings
from geo_service.crs import parse_coord_system
from geo_service.db import database_url
from geo_service.errors import ValidationError
from geo_service.uploads import results, store
from geo_service.uploads.scope import LAYER_ROLES, scope_for

log = logging.getLogger(__name__)

TICK_S = 15  # how often the jobs waiting or running here are marked alive
LAYERS_REFUSED = (
    "仅系统管理员可导入图层（单位边界、重点区域、学校、道路、标准地址）"
    " / GIS layers are imported by the administrator only"
)
INTERNAL = "导入时出现内部错误，本文件未写入任何数据 / internal error: nothing of this file written"


class UploadRunner:
    """Runs upload jobs in the background of one server process (one per app).

    `engine` (the app's own pool, owner connections) records jobs and progress; each import
    opens a psycopg2 connection of its own, as `geo-service import` does.
    """

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.url = database_url(settings)
        self.engine = engine
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="upload")
        self._pending: set[int] = set()
        self._lock = threading.Lock()
        # A daemon: it ends with the server process, and a job left behind shows as stale.
        self._ticker = threading.Thread(target=self._tick, name="upload-ticker", daemon=True)
        self._ticker.start()

    def submit(self, job_id: int, user: Principal) -> Future:
        with self._lock:
            self._pending.add(job_id)
        return self._pool.submit(self._run, job_id, user)

    def _tick(self) -> None:
        while True:
            time.sleep(TICK_S)
            with self._lock:
                ids = sorted(self._pending)
            if ids:
                try:
                    with self.engine.begin() as conn:
                        store.touch(conn, ids)
                except Exception:  # the database restarting: the next tick tries again
                    log.warning("could not mark upload jobs alive", exc_info=True)

    def _run(self, job_id: int, user: Principal) -> None:
        try:
            error = None
            try:
                self._import_job(job_id, user)
            except Exception:
                log.exception("upload job %s failed", job_id)
                error = INTERNAL
            with self.engine.begin() as conn:
                store.finish_job(conn, job_id, error)
        finally:
            with self._lock:
                self._pending.discard(job_id)

    def _import_job(self, job_id: int, user: Principal) -> None:
        with self.engine.begin() as conn:
            files = store.job_files(conn, job_id)
            accept_valid, crs, effective = store.job_options(conn, job_id)
        options = ImportOptions(
            strict=not accept_valid,
            actor=user.username,
            crs=parse_coord_system(crs) if crs else None,
            rules_path=self.settings.rules_path,
            scope=scope_for(user),
            effective=effective,
        )
        progress = _Progress(self.engine, job_id, len(files))
        with tempfile.TemporaryDirectory(prefix="geo-upload-") as tmp:
            seq_of = {}
            for seq, name, content in files:
                # One folder per file: two files of the same name stay apart, and the engine
                # sees the name as uploaded (it names sheets, CSV tables and layer kinds).
                path = Path(tmp) / str(seq) / name
                path.parent.mkdir()
                path.write_bytes(content)
                seq_of[path] = seq
            conn = psycopg2.connect(self.url, application_name="geo-service upload")
            try:
                for path in import_order(list(seq_of)):
                    progress.file_started(path)
                    result = self._import_one(conn, path, options, user, progress)
                    summary = results.summary(result)
                    report = results.report_bytes(result.rejections, path.name)
                    with self.engine.begin() as c:
                        store.save_file_result(c, job_id, seq_of[path], summary, report)
                    progress.file_done()
            finally:
                conn.close()

    @staticmethod
    def _import_one(
        conn, path: Path, options: ImportOptions, user: Principal, progress: "_Progress"
    ) -> FileResult:
        try:
            if file_kind(path, options.layer) != "table" and user.role not in LAYER_ROLES:
                return results.refused_file(path.name, LAYERS_REFUSED)
            return import_file(conn, path, options, on_stage=progress.stage, hook=progress.sheet)
        except ValidationError as e:  # not readable as a template or layer: said as the CLI says
            conn.rollback()
            return results.refused_file(path.name, str(e))
        except Exception:
            log.exception("import of %s failed", path.name)
            conn.rollback()
            return results.refused_file(path.name, INTERNAL)


class _Progress:
    """Percent done and the current stage, written for `GET /imports/{id}` to read.

    Each file is an equal share; inside one, reading is 10 % and each sheet written (or the
    layer) an equal part of the rest, counted from the sheets the workbook holds.
    """

    def __init__(self, engine: Engine, job_id: int, files: int) -> None:
        self.engine, self.job_id, self.files = engine, job_id, max(files, 1)
        self.done_files = 0
        self.sheets_done = 0
        self.sheets_total = 1
        self.last = "读取 reading"

    def file_started(self, path: Path) -> None:
        self.sheets_done = 0
        self.sheets_total = _sheet_count(path)
        self._write(f"读取 reading {path.name}", 0.02)

    def stage(self, message: str) -> None:
        self.last = message
        self._write(message, 0.1 + 0.85 * self.sheets_done / self.sheets_total)

    def sheet(self, _ctx, _sheet: str) -> None:
        self.sheets_done += 1
        self.sheets_total = max(self.sheets_total, self.sheets_done)
        self._write(self.last, 0.1 + 0.85 * self.sheets_done / self.sheets_total)

    def file_done(self) -> None:
        self.done_files += 1
        self._write("完成 file done", 0.0)

    def _write(self, stage: str, fraction: float) -> None:
        percent = 100.0 * (self.done_files + fraction) / self.files
        try:
            with self.engine.begin() as conn:
                store.set_progress(conn, self.job_id, min(percent, 99.0), stage)
        except Exception:  # progress is a courtesy: the import itself goes on
            log.warning("could not record upload progress", exc_info=True)


def _sheet_count(path: Path) -> int:
    """How many sheets the engine will write for this file: a workbook's template sheets (by
    name; all its sheets when none is named so), else one."""
    from etl.readers import EXCEL_SUFFIXES
    from etl.templates import sheet_for_name

    if path.suffix.lower() not in EXCEL_SUFFIXES:
        return 1
    try:
        from python_calamine import CalamineWorkbook

        names = CalamineWorkbook.from_path(str(path)).sheet_names
    except Exception:  # unreadable: the import says why
        return 1
    return max(1, sum(sheet_for_name(n) is not None for n in names) or len(names))
