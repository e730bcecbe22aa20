"""Uploads through the browser's path: a 50,000-row 群租房 workbook sent to `POST /imports` of a
live server, as a village user (all rows its own, written under its database role) and as the
administrator (rows of 20 units, as `geo-service import`), against the engine run directly.

    .venv/bin/python bench/upload_bench.py               # 50,000 rows
    .venv/bin/python bench/upload_bench.py --rows 10000

Runs in a throwaway cluster under /tmp (or a database of its own on DATABASE_URL's server).
Prints a Markdown report on stdout (docs/upload.md keeps the last one); progress on stderr.
"""

import argparse
import os
import socket
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import httpx
import numpy as np
import uvicorn
import xlsxwriter

from bench.import_bench import (
    DOORS_PER_ROAD,
    ROADS_PER_UNIT,
    _admin,
    _written,
    timed_import,
    unit_name,
    write_houses,
    write_town,
)
from geo_service import migrate
from geo_service.access import accounts, passwords, tokens
from geo_service.api.app import create_app
from geo_service.config import Settings
from geo_service.db import make_engine
from geo_service.localdb import LocalCluster

HEADERS = [
    "房屋编号", "所属单位", "地址", "经度", "纬度", "坐标系", "出租人", "出租人证件号",
    "出租人电话", "出租居室数", "床位数", "租住人数", "已登记租住人数", "是否登记",
    "是否签订治安责任保证书", "最近检查日期",
]  # fmt: skip


def log(msg: str) -> None:
    print(f"[upload-bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def village_workbook(tmp: Path, count: int, rng) -> Path:
    """`count` houses of unit 0 (its 5,200 doors, cycled), written as villages write them."""
    path = tmp / f"{unit_name(0)}台账.xlsx"
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet("群租房")
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, HEADERS)
    for k in range(1, count + 1):
        j, n = divmod((k - 1) % (ROADS_PER_UNIT * DOORS_PER_ROAD), DOORS_PER_ROAD)
        address, x, y = _written(rng, 0, j, n + 1)
        rooms, tenants = int(rng.integers(1, 16)), int(rng.integers(1, 25))
        ws.write_row(
            k,
            0,
            [f"V{k:06d}", unit_name(0), address, x, y, "WGS84" if x else None, "张某",
             f"3204121980{k % 10000:04d}{k % 10000:04d}", f"139{k:08d}", rooms, rooms + 2,
             tenants, tenants - int(rng.integers(0, 2)), "是", "是" if k % 7 else "否"],
        )  # fmt: skip
        ws.write_datetime(k, 15, date(2026, 1, 1) + timedelta(days=k % 300), day)
    wb.close()
    return path


def serve(url: str) -> tuple[str, object, uvicorn.Server, threading.Thread]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(Settings(database_url=url))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", app, srv, thread


def token(app, url: str, username: str, role: str, unit: str | None) -> str:
    engine = make_engine(url, pool_size=1)
    with engine.begin() as conn:
        user = accounts.add_user(conn, username, role, "Bench-password-2026", unit)
    engine.dispose()
    return tokens.issue(app.state.signing_key, user.username, user.epoch, "access", 3600)[0]


def timed_upload(base: str, bearer: str, path: Path) -> tuple[dict, float]:
    """Seconds from sending the file to having its result (`wait=true`: one request)."""
    t0 = time.perf_counter()
    with path.open("rb") as f:
        r = httpx.post(
            f"{base}/imports",
            files=[("files", (path.name, f, "application/octet-stream"))],
            data={"wait": "true"},
            headers={"Authorization": f"Bearer {bearer}"},
            timeout=900,
        )
    seconds = time.perf_counter() - t0
    r.raise_for_status()
    job = r.json()
    assert job["status"] == "done", job
    return job["files"][0], seconds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=50_000)
    a = ap.parse_args(argv)
    passwords.set_cost(time_cost=1, memory_cost_kib=1024, parallelism=1)  # bench users only
    cluster = None
    if server := os.environ.get("DATABASE_URL"):
        name = f"upload_bench_{uuid.uuid4().hex[:8]}"
        _admin(server, f'CREATE DATABASE "{name}"')
        url = server.rsplit("/", 1)[0] + "/" + name
    else:
        cluster = LocalCluster(Path(tempfile.mkdtemp(prefix="upload-bench-", dir="/tmp")))
        url = cluster.up()
    tmp = Path(tempfile.mkdtemp(prefix="upload-bench-files-"))
    srv = None
    try:
        migrate.upgrade(url)
        rng = np.random.default_rng(7)
        log("writing the town, standard addresses and workbooks …")
        for p in write_town(tmp):
            timed_import(url, p)
        own = village_workbook(tmp, a.rows, rng)
        town = write_houses(tmp, a.rows, rng)
        base, app, srv, thread = serve(url)
        village = token(app, url, "bench_village", "village", unit_name(0))
        admin = token(app, url, "bench_admin", "admin", None)
        lines = [
            f"{a.rows:,} houses per workbook; `POST /imports` with `wait=true` to a live server "
            "(one uvicorn worker, this machine), timed from sending the file to its result.",
            "",
            "| upload | size | seconds | rows/s | 新增 | 未变 | 拒绝 |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for label, bearer, path in [
            (
                f"village {unit_name(0)}, its own houses (writes as geo_import_village)",
                village,
                own,
            ),
            ("village again, nothing changed", village, own),
            ("administrator, houses of 20 units (as the CLI)", admin, town),
        ]:
            log(f"uploading: {label} …")
            f, s = timed_upload(base, bearer, path)
            sheet = f["sheets"][0]
            assert sheet["rejected"] == 0, f["rejections"][:3]
            lines.append(
                f"| {label} | {path.stat().st_size / 1e6:.1f} MB | {s:.1f} | {a.rows / s:,.0f} | "
                f"{sheet['inserted']:,} | {sheet['unchanged']:,} | {sheet['rejected']:,} |"
            )
        log("the engine directly (geo-service import), the 20-unit workbook again …")
        result, s = timed_import(url, town)
        lines.append(
            f"| engine without HTTP (`geo-service import`), same workbook again | "
            f"{town.stat().st_size / 1e6:.1f} MB | {s:.1f} | {a.rows / s:,.0f} | "
            f"{result.sheets[0].inserted:,} | {result.sheets[0].unchanged:,} | "
            f"{result.sheets[0].rejected:,} |"
        )
        print("\n".join(lines))
    finally:
        if srv is not None:
            srv.should_exit = True
            thread.join(10)
        if cluster is not None:
            cluster.destroy()
        else:
            _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for f in tmp.iterdir():
            f.unlink()
        tmp.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
