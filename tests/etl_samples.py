"""A hand-made mini town for the import tests: three 1 km square units, departments, standard
addresses on two roads per unit, and template workbooks written with openpyxl.

Layout (WGS84): 戴溪社区 [120.03, 120.04] × [31.68, 31.69], 岑村村 the next square east,
洛阳社区 the next. In each unit, 人民路 runs along lat +0.003 and 建设路 along lat +0.007;
door n stands at lon = west edge + 0.0008·n (≈ 76 m apart), n = 1 … 10.
"""

from datetime import date, datetime
from pathlib import Path

import geopandas as gpd
import psycopg2
import shapely
from openpyxl import Workbook

from etl.context import ImportOptions
from etl.importer import import_file

TODAY = date(2026, 11, 15)
UNITS = [("戴溪社区", "社区", 120.03), ("岑村村", "村", 120.04), ("洛阳社区", "社区", 120.05)]
SOUTH = 31.68
ROADS = {"人民路": 0.003, "建设路": 0.007}
DEPARTMENTS = ["建设局", "自规所", "电力公司", "派出所"]


def door(unit: str, road: str, n: int) -> tuple[float, float]:
    """WGS84 point of door `n` on `road` in `unit`."""
    west = next(w for name, _, w in UNITS if name == unit)
    return round(west + 0.0008 * n, 6), round(SOUTH + ROADS[road], 6)


def boundaries(path: Path) -> Path:
    frame = gpd.GeoDataFrame(
        {"单位名称": [u for u, _, _ in UNITS]},
        geometry=[shapely.box(w, SOUTH, w + 0.01, SOUTH + 0.01) for _, _, w in UNITS],
        crs=4326,
    )
    frame.to_file(path)
    return path


def addresses(path: Path, numbers: range = range(1, 11)) -> Path:
    rows, points = [], []
    for unit, _, _ in UNITS:
        for road in ROADS:
            for n in numbers:
                rows.append(f"洛阳镇{unit}{road}{n}号")
                points.append(shapely.Point(*door(unit, road, n)))
    gpd.GeoDataFrame({"地址": rows}, geometry=points, crs=4326).to_file(path)
    return path


UNIT_HEADERS = ["单位名称", "单位类型", "是否制定职责任务清单", "是否制定年度工作方案"]
HOUSE_HEADERS = [
    "房屋编号", "所属单位", "地址", "经度", "纬度", "坐标系", "出租人", "出租人证件号",
    "出租人电话", "二房东", "二房东是否登记", "出租居室数", "床位数", "租住人数",
    "已登记租住人数", "是否登记", "是否签订治安责任保证书", "是否安装视频监控",
    "监控保存天数", "是否自建房", "最近检查日期",
]  # fmt: skip
HAZARD_HEADERS = [
    "隐患编号", "房屋编号", "隐患类别", "隐患等级", "发现日期", "整改期限", "是否上墙告知",
    "是否录入系统", "流转部门", "流转日期", "整改日期", "隐患描述",
]  # fmt: skip
INCIDENT_HEADERS = [
    "警情编号",
    "发生时间",
    "警情类别",
    "地址",
    "经度",
    "纬度",
    "坐标系",
    "简要案情",
]


def unit_rows() -> list[list]:
    rows = [[name, kind, "是", "否"] for name, kind, _ in UNITS]
    return rows + [[d, "部门", None, None] for d in DEPARTMENTS]


def house_rows() -> list[list]:
    """Three houses: one with given WGS84 coordinates, two placed from their address."""
    x, y = door("岑村村", "建设路", 4)
    return [
        ["H001", "戴溪社区", "洛阳镇戴溪社区人民路3号", None, None, None, "张三",
         "320412199001011234", "13800000001", None, None, 12, 14, 15, 15, "是", "是", "是",
         30, "否", date(2026, 10, 1)],
        ["H002", "岑村村", "岑村村建设路4号", x, y, "WGS84", "李四", None, None, "王五", "否",
         3, 4, 5, 4, "√", "×", None, None, "是", "2026/9/1"],
        ["H003", "洛阳社区", "洛阳社区人民路十号", None, None, None, "赵六", None, None, None,
         None, 2, 2, 2, 2, 1, 0, None, None, None, None],
    ]  # fmt: skip


def hazard_rows() -> list[list]:
    return [
        # general, no notice deadline: due 3 calendar months later (Jan 31 → Apr 30)
        ["Z001", "H001", "私拉乱接电线", None, date(2026, 1, 31), None, "是", "是", "派出所",
         date(2026, 2, 2), None, "走廊私拉电线"],
        # major by category, no deadline: due 7 days later
        ["Z002", "H002", "违规使用液化气瓶", None, "2026年3月5日", None, "是", "否", None, None,
         "2026-03-08", None],
        # notice deadline wins
        ["Z003", "H003", "违法建设", "一般", "2026-06-01", "2026-06-20", "否", "否", "自规所",
         None, None, None],
    ]  # fmt: skip


def incident_rows() -> list[list]:
    return [
        ["J001", datetime(2026, 5, 1, 13, 45), "盗窃", "洛阳镇戴溪社区建设路2号", None, None,
         None, "电动车被盗"],
        ["J002", "2026-06-02 08:30", "纠纷", "洛阳镇洛阳社区人民路5号", None, None, None, None],
    ]  # fmt: skip


def workbook(path: Path, sheets: dict[str, tuple[list, list[list]]], title: bool = False) -> Path:
    """An .xlsx with the given sheets (name → (headers, rows)); dates stay Excel date cells."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, (headers, rows) in sheets.items():
        ws = wb.create_sheet(name)
        if title:
            ws.append([f"洛阳镇{name}登记表"])
        ws.append(headers)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def full_workbook(path: Path) -> Path:
    return workbook(
        path,
        {
            "单位": (UNIT_HEADERS, unit_rows()),
            "群租房": (HOUSE_HEADERS, house_rows()),
            "隐患": (HAZARD_HEADERS, hazard_rows()),
            "警情": (INCIDENT_HEADERS, incident_rows()),
        },
    )


def run_import(url: str, path: Path, **options):
    """Import one file into the database at `url` (today pinned to TODAY)."""
    options.setdefault("today", TODAY)
    options.setdefault("actor", "tester")
    hook = options.pop("hook", None)
    conn = psycopg2.connect(url)
    try:
        return import_file(conn, path, ImportOptions(**options), hook=hook)
    finally:
        conn.close()


def setup_town(url: str, tmp: Path) -> None:
    """Boundaries, standard addresses and the 单位 sheet into the database at `url`."""
    for p in (boundaries(tmp / "单位边界.geojson"), addresses(tmp / "标准地址.geojson")):
        result = run_import(url, p)
        assert not result.rejections and not result.error, result.rejections
    wb = workbook(tmp / "单位.xlsx", {"单位": (UNIT_HEADERS, unit_rows())})
    assert not run_import(url, wb).rejections


def clear_records(url: str) -> None:
    """Empty the village records (houses, hazards, incidents, audit) but keep the town."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("TRUNCATE houses, hazards, incidents, audit_log CASCADE")
    conn.close()


def scalar(url: str, sql: str, *params):
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
    conn.close()
    return row[0] if row else None


def rows(url: str, sql: str, *params) -> list[tuple]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        out = cur.fetchall()
    conn.close()
    return out


def snapshot(url: str) -> dict[str, list]:
    """Every row of the tables the import writes, for before/after comparisons."""
    tables = ["units", "houses", "hazards", "incidents", "key_areas", "schools", "roads"]
    tables += ["addresses", "audit_log"]
    return {t: sorted(map(str, rows(url, f"SELECT * FROM {t}"))) for t in tables}
