"""Import throughput: a 100,000-row 群租房 workbook and 300,000 hazards through
`geo-service import` (parsing, checks, geocoding, upsert with audit, one transaction per file),
against a bare COPY of the same rows into the same tables.

    .venv/bin/python -m bench.import_bench                 # 100k houses, 300k hazards
    .venv/bin/python bench/import_bench.py --houses 20000 --hazards 60000

Runs in a database of its own (created and dropped) on DATABASE_URL's server, else on the
local cluster (GEO_DATA_DIR). Prints a Markdown report on stdout; progress goes to stderr.
"""

import argparse
import io
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import psycopg2
import shapely
import xlsxwriter

from etl.context import ImportOptions
from etl.importer import import_file
from geo_service import migrate
from geo_service.config import Settings
from geo_service.db import database_url

STEMS = [
    "戴溪",
    "岑村",
    "洛阳",
    "洛东",
    "汤墅",
    "马鞍",
    "朝安",
    "阳湖",
    "虞桥",
    "谈家头",
    "小留桥",
    "天井",
    "友谊",
    "管城",
    "东尖",
    "湖滨",
    "南塘",
    "西河",
    "北渠",
    "芦庄",
]
ROAD_WORDS = [
    "人民",
    "建设",
    "和平",
    "新华",
    "中山",
    "解放",
    "长江",
    "黄河",
    "东方",
    "光明",
    "文化",
    "振兴",
    "团结",
    "幸福",
    "胜利",
    "朝阳",
    "兴隆",
    "富民",
    "育才",
    "健康",
]
HOMOPHONE = {"民": "名", "建": "见", "和": "禾", "新": "心", "中": "忠", "光": "广", "文": "闻"}
CATEGORIES = [
    "违法建设",
    "私拉乱接电线",
    "违规使用液化气瓶",
    "电瓶车违规停放、充电",
    "逃生通道不畅通",
    "未配备灭火、逃生器材",
    "未按规定安装视频监控",
]
ROADS_PER_UNIT, DOORS_PER_ROAD = 40, 130


def log(msg: str) -> None:
    print(f"[import-bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def unit_name(i: int) -> str:
    return STEMS[i] + ("社区" if i % 3 == 0 else "村")


def road_name(i: int, j: int) -> str:
    return f"{STEMS[i][:1]}{ROAD_WORDS[j % 20]}{'路' if j < 20 else '街'}"


def door_xy(i: int, j: int, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    west, south = 120.0 + 0.02 * (i % 5), 31.64 + 0.02 * (i // 5)
    return west + 0.00014 * n, np.full_like(n, south + 0.0004 * (j + 1), dtype=float)


def write_town(tmp: Path) -> tuple[Path, Path, Path]:
    """Unit boundaries, the 单位 sheet and ROADS×DOORS standard addresses per unit."""
    boxes = [
        shapely.box(
            120.0 + 0.02 * (i % 5),
            31.64 + 0.02 * (i // 5),
            120.02 + 0.02 * (i % 5),
            31.66 + 0.02 * (i // 5),
        )
        for i in range(20)
    ]
    names = [unit_name(i) for i in range(20)]
    gpd.GeoDataFrame({"单位名称": names}, geometry=boxes, crs=4326).to_file(
        tmp / "单位边界.geojson"
    )
    wb = xlsxwriter.Workbook(tmp / "单位.xlsx")
    ws = wb.add_worksheet("单位")
    ws.write_row(0, 0, ["单位名称", "单位类型", "是否制定职责任务清单", "是否制定年度工作方案"])
    rows = [[n, "社区" if n.endswith("社区") else "村", "是", "是"] for n in names]
    rows += [[d, "部门", None, None] for d in ["建设局", "自规所", "电力公司", "派出所"]]
    for r, row in enumerate(rows, 1):
        ws.write_row(r, 0, row)
    wb.close()
    addresses, xs, ys = [], [], []
    numbers = np.arange(1, DOORS_PER_ROAD + 1)
    for i in range(20):
        for j in range(ROADS_PER_UNIT):
            x, y = door_xy(i, j, numbers)
            addresses += [f"洛阳镇{names[i]}{road_name(i, j)}{n}号" for n in numbers]
            xs.append(x)
            ys.append(y)
    points = shapely.points(np.concatenate(xs), np.concatenate(ys))
    gpd.GeoDataFrame({"地址": addresses}, geometry=points, crs=4326).to_file(
        tmp / "标准地址.gpkg", driver="GPKG"
    )
    return tmp / "单位边界.geojson", tmp / "单位.xlsx", tmp / "标准地址.gpkg"


def _written(rng, i: int, j: int, n: int) -> tuple[str, float | None, float | None]:
    """How a village writes the door: mostly canonical, some variants, some typos/coords."""
    unit, road, r = unit_name(i), road_name(i, j), rng.random()
    if r < 0.70:
        return f"洛阳镇{unit}{road}{n}号", None, None
    if r < 0.80:
        return f"江苏省常州市武进区洛阳镇{unit}{road}{n}号", None, None
    if r < 0.85:
        return f"{road}{n}号", None, None  # village left out: 所属单位 says it
    if r < 0.90:
        typo = "".join(HOMOPHONE.get(c, c) for c in road)
        return f"{unit}{typo}{n}号", None, None
    x, y = door_xy(i, j, np.array([n]))
    return f"{unit}{road}{n}号", float(x[0]), float(y[0])  # given coordinates


def write_houses(tmp: Path, count: int, rng) -> Path:
    path = tmp / "群租房.xlsx"
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet("群租房")
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(
        0,
        0,
        [
            "房屋编号",
            "所属单位",
            "地址",
            "经度",
            "纬度",
            "坐标系",
            "出租人",
            "出租人证件号",
            "出租人电话",
            "二房东",
            "二房东是否登记",
            "出租居室数",
            "床位数",
            "租住人数",
            "已登记租住人数",
            "是否登记",
            "是否签订治安责任保证书",
            "是否安装视频监控",
            "监控保存天数",
            "是否自建房",
            "最近检查日期",
        ],
    )
    doors = rng.choice(20 * ROADS_PER_UNIT * DOORS_PER_ROAD, count, replace=False)
    for k, d in enumerate(doors, 1):
        i, rest = divmod(int(d), ROADS_PER_UNIT * DOORS_PER_ROAD)
        j, n = divmod(rest, DOORS_PER_ROAD)
        address, x, y = _written(rng, i, j, n + 1)
        rooms = int(rng.integers(1, 16))
        tenants = int(rng.integers(1, 25))
        second = "钱某" if rng.random() < 0.2 else None
        ws.write_row(
            k,
            0,
            [
                f"B{k:06d}",
                unit_name(i),
                address,
                x,
                y,
                "WGS84" if x else None,
                "张某",
                f"3204121980{k % 10000:04d}{k % 10000:04d}",
                f"138{k:08d}",
                second,
                ("是" if rng.random() < 0.5 else "否") if second else None,
                rooms,
                rooms + 2,
                tenants,
                tenants - int(rng.integers(0, 2)),
                "是",
                "是" if k % 7 else "否",
                "是" if rooms >= 10 else None,
                30 if rooms >= 10 else None,
                "否",
            ],
        )
        ws.write_datetime(k, 20, date(2026, 1, 1) + timedelta(days=k % 300), date_format)
    wb.close()
    return path


def write_hazards(tmp: Path, count: int, houses: int, rng) -> Path:
    path = tmp / "隐患.xlsx"
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet("隐患")
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(
        0,
        0,
        [
            "隐患编号",
            "房屋编号",
            "隐患类别",
            "发现日期",
            "是否上墙告知",
            "是否录入系统",
            "流转部门",
            "整改日期",
        ],
    )
    house = rng.integers(1, houses + 1, count)
    category = rng.integers(0, len(CATEGORIES), count)
    found = rng.integers(0, 300, count)
    for k in range(count):
        ws.write_row(k + 1, 0, [f"Z{k + 1:07d}", f"B{house[k]:06d}", CATEGORIES[category[k]]])
        ws.write_datetime(k + 1, 3, date(2026, 1, 1) + timedelta(days=int(found[k])), date_format)
        fixed = k % 3 == 0
        ws.write_row(k + 1, 4, ["是", "是" if k % 2 else "否", "派出所" if k % 5 == 0 else None])
        if fixed:
            rectified = date(2026, 1, 1) + timedelta(days=int(found[k]) + 5)
            ws.write_datetime(k + 1, 7, rectified, date_format)
    wb.close()
    return path


def timed_import(url: str, path: Path):
    conn = psycopg2.connect(url)
    try:
        t0 = time.perf_counter()
        result = import_file(conn, path, ImportOptions(actor="bench", today=date(2026, 11, 15)))
        return result, time.perf_counter() - t0
    finally:
        conn.close()


def bare_copy(url: str, table: str) -> tuple[int, float]:
    """Dump `table` (as imported), empty it, and time COPY of the same rows back in."""
    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:
        buf = io.StringIO()
        cur.copy_expert(f"COPY {table} TO STDOUT", buf)
        rows = buf.getvalue().count("\n")
        cur.execute(f"TRUNCATE {table} CASCADE")
    with conn, conn.cursor() as cur:
        buf.seek(0)
        t0 = time.perf_counter()
        cur.copy_expert(f"COPY {table} FROM STDIN", buf)
    seconds = time.perf_counter() - t0
    conn.close()
    return rows, seconds


def _admin(url: str, sql: str) -> None:
    conn = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--houses", type=int, default=100_000)
    ap.add_argument("--hazards", type=int, default=300_000)
    ap.add_argument("--keep", action="store_true", help="keep the database and files")
    a = ap.parse_args(argv)
    server = database_url(Settings(), start=True)
    name = f"import_bench_{uuid.uuid4().hex[:8]}"
    _admin(server, f'CREATE DATABASE "{name}"')
    url = server.rsplit("/", 1)[0] + "/" + name
    tmp = Path(tempfile.mkdtemp(prefix="import-bench-"))
    try:
        migrate.upgrade(url)
        rng = np.random.default_rng(7)
        log("writing the town, standard addresses and workbooks …")
        boundaries, units, addresses = write_town(tmp)
        houses = write_houses(tmp, a.houses, rng)
        hazards = write_hazards(tmp, a.hazards, a.houses, rng)
        for p in (boundaries, units):
            timed_import(url, p)
        log("importing standard addresses …")
        addr_result, addr_s = timed_import(url, addresses)
        log("importing the 群租房 workbook …")
        h_result, h_s = timed_import(url, houses)
        log("importing the 隐患 workbook …")
        z_result, z_s = timed_import(url, hazards)
        log("re-importing the 群租房 workbook (nothing changed) …")
        again, again_s = timed_import(url, houses)
        for r in (addr_result, h_result, z_result, again):
            assert not r.rejections and not r.rolled_back, (r.rejections[:5], r.error)
        log("bare COPY of the same rows …")
        z_rows, z_copy = bare_copy(url, "hazards")
        h_rows, h_copy = bare_copy(url, "houses")
        print(
            report(
                a,
                addr_result,
                addr_s,
                h_result,
                h_s,
                z_result,
                z_s,
                again_s,
                (h_rows, h_copy),
                (z_rows, z_copy),
            )
        )
    finally:
        if not a.keep:
            _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            for f in tmp.iterdir():
                f.unlink()
            tmp.rmdir()
        else:
            log(f"kept database {name} and files in {tmp}")
    return 0


def report(a, addr, addr_s, houses, h_s, hazards, z_s, again_s, h_copy, z_copy) -> str:
    h_rate, z_rate = a.houses / h_s, a.hazards / z_s
    h_copy_rate, z_copy_rate = h_copy[0] / h_copy[1], z_copy[0] / z_copy[1]
    methods = ", ".join(f"{k} {v:,}" for k, v in houses.geocoded.most_common())
    lines = [
        f"{a.houses:,} houses ({methods}) and {a.hazards:,} hazards, each file one "
        "transaction: read (calamine), checks, geocoding, upsert with audit rows.",
        "",
        "| step | rows | seconds | rows/s | bare COPY rows/s | import / COPY |",
        "|---|---:|---:|---:|---:|---:|",
        f"| 群租房 workbook (geocoded) | {a.houses:,} | {h_s:.1f} | {h_rate:,.0f} | "
        f"{h_copy_rate:,.0f} | {h_rate / h_copy_rate:.0%} |",
        f"| 隐患 workbook | {a.hazards:,} | {z_s:.1f} | {z_rate:,.0f} | {z_copy_rate:,.0f} | "
        f"{z_rate / z_copy_rate:.0%} |",
        f"| 群租房 again (no change) | {a.houses:,} | {again_s:.1f} | {a.houses / again_s:,.0f} "
        "| | |",
        f"| 标准地址 layer (GPKG) | {addr.sheets[0].rows:,} | {addr_s:.1f} | "
        f"{addr.sheets[0].rows / addr_s:,.0f} | | |",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
