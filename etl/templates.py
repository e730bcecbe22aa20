"""The village templates (TEMPLATES.md): sheets, their Chinese headers and the fields they fill.

Headers are matched after normalisation (full width, spaces, `*` and bracketed notes such as
“（必填）” removed), in any order; each column may also be written under an alias. Columns
beyond the template are ignored. A few optional columns beyond TEMPLATES.md carry the rest of
the schema, so that `demo export` → import reproduces a database.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Column:
    header: str  # canonical Chinese header
    field: str  # staging column (a name from code, never from the file)
    kind: str = "text"  # text / code / bool / int / float / date / datetime
    required: bool = False
    aliases: tuple[str, ...] = ()
    max_len: int | None = None


@dataclass(frozen=True)
class Sheet:
    name: str  # the sheet name of the template
    table: str
    key_header: str
    columns: tuple[Column, ...]
    # A natural key of several fields (检查记录: house, day, kind, unit); empty = key_header's.
    key_parts: tuple[str, ...] = ()

    def column(self, field: str) -> Column:
        return next(c for c in self.columns if c.field == field)

    @property
    def key_field(self) -> str:
        """The field of the natural key (单位名称, 房屋编号, 隐患编号, 警情编号)."""
        return next(c.field for c in self.columns if c.header == self.key_header)

    @property
    def key_fields(self) -> tuple[str, ...]:
        """The fields whose values together identify a row (one for most sheets)."""
        return self.key_parts or (self.key_field,)


C = Column
_COORDS = (
    C("经度", "lon", "float", aliases=("lng", "lon", "longitude", "x")),
    C("纬度", "lat", "float", aliases=("lat", "latitude", "y")),
    C("坐标系", "crs", "code", aliases=("坐标系统", "crs")),
)

UNITS = Sheet(
    "单位",
    "units",
    "单位名称",
    (
        C("单位名称", "name", "code", required=True, aliases=("名称", "村社区名称"), max_len=100),
        C("单位类型", "kind_zh", "code", required=True, aliases=("类型",)),
        C("是否制定职责任务清单", "has_task_list", "bool", aliases=("职责任务清单",)),
        C("是否制定年度工作方案", "has_annual_plan", "bool", aliases=("年度工作方案",)),
        C("是否定期召开会议并组织自查", "holds_meetings", "bool", aliases=("是否定期召开会议",)),
        C("是否开展事故责任追究评估", "accountability_evaluated", "bool"),
    ),
)

HOUSES = Sheet(
    "群租房",
    "houses",
    "房屋编号",
    (
        C("房屋编号", "house_code", "code", required=True, aliases=("编号",), max_len=64),
        C("所属单位", "unit_name", "code", required=True, aliases=("所属村社区", "村社区", "单位")),
        C("地址", "address", required=True, aliases=("房屋地址", "详细地址")),
        *_COORDS,
        C("出租人", "landlord_name", required=True, aliases=("房东", "出租人姓名"), max_len=100),
        C(
            "出租人证件号",
            "landlord_id_number",
            "code",
            aliases=("出租人身份证号", "身份证号"),
            max_len=32,
        ),
        C(
            "出租人电话",
            "landlord_phone",
            "code",
            aliases=("出租人联系电话", "联系电话"),
            max_len=32,
        ),
        C("二房东", "second_landlord_name", aliases=("二房东姓名",), max_len=100),
        C("二房东是否登记", "second_landlord_registered", "bool"),
        C("出租居室数", "rooms", "int", required=True, aliases=("出租居室", "居室数")),
        C("床位数", "beds", "int", required=True, aliases=("床位",)),
        C("租住人数", "tenants", "int", required=True, aliases=("租住人员数",)),
        C("已登记租住人数", "registered_tenants", "int", required=True, aliases=("已登记人数",)),
        C("是否登记", "is_registered", "bool", required=True, aliases=("房屋是否登记",)),
        C(
            "是否签订治安责任保证书",
            "pledge_signed",
            "bool",
            required=True,
            aliases=("是否签订保证书", "治安责任保证书"),
        ),
        C("是否安装视频监控", "cctv_installed", "bool", aliases=("视频监控",)),
        C("监控保存天数", "cctv_retention_days", "int", aliases=("监控保存时间",)),
        C("是否自建房", "is_self_built", "bool", aliases=("自建房",)),
        C("最近检查日期", "last_inspected_on", "date", aliases=("检查日期",)),
        C("是否配备防烟面罩", "has_smoke_masks", "bool", aliases=("防烟面罩",)),
        C("是否配备手电筒", "has_torches", "bool", aliases=("手电筒",)),
        C("是否配备灭火器", "has_extinguishers", "bool", aliases=("灭火器",)),
        C("月用电量", "electricity_kwh_month", "float", aliases=("月用电量千瓦时", "月用电")),
    ),
)

HAZARDS = Sheet(
    "隐患",
    "hazards",
    "隐患编号",
    (
        C("隐患编号", "hazard_code", "code", required=True, aliases=("编号",), max_len=64),
        C("房屋编号", "house_code", "code", required=True),
        C("隐患类别", "category_zh", "code", required=True, aliases=("类别",)),
        C("隐患等级", "severity_zh", "code", aliases=("等级",)),
        C("发现日期", "found_on", "date", required=True, aliases=("排查日期",)),
        C("整改期限", "deadline_on", "date", aliases=("整改时限",)),
        C("是否上墙告知", "posted_on_wall", "bool", required=True, aliases=("上墙告知",)),
        C(
            "是否录入系统",
            "entered_in_system",
            "bool",
            required=True,
            aliases=("录入系统", "是否录入流动人口系统"),
        ),
        C("流转部门", "department_name", "code", aliases=("流转单位",)),
        C("流转日期", "transferred_on", "date"),
        C("整改日期", "rectified_on", "date", aliases=("整改完成日期",)),
        C("隐患描述", "description", aliases=("描述", "备注")),
        C("复核日期", "verified_on", "date"),
    ),
)

INCIDENTS = Sheet(
    "警情",
    "incidents",
    "警情编号",
    (
        C("警情编号", "incident_code", "code", required=True, aliases=("编号",), max_len=64),
        C("发生时间", "occurred_at", "datetime", required=True, aliases=("报警时间", "时间")),
        C("警情类别", "category", "code", required=True, aliases=("类别",), max_len=30),
        C("地址", "address", required=True, aliases=("发生地址", "案发地址")),
        *_COORDS,
        C("简要案情", "summary", aliases=("案情",)),
    ),
)

INSPECTIONS = Sheet(
    "检查记录",
    "inspections",
    "房屋编号",
    (
        C("房屋编号", "house_code", "code", required=True, max_len=64),
        C("检查日期", "inspected_on", "date", required=True, aliases=("日期",)),
        C("检查单位", "unit_name", "code", required=True, aliases=("检查部门",), max_len=100),
        C("检查类型", "kind_zh", "code", required=True, aliases=("检查方式",)),
        C("是否发现隐患", "found_hazard", "bool", aliases=("发现隐患",)),
        C("备注", "notes", aliases=("说明",)),
    ),
    key_parts=("house_code", "inspected_on", "kind_zh", "unit_name"),
)

# Loading order: a house needs its unit, a hazard its house and department, an inspection
# its house (and links the hazards found on its day).
SHEETS: tuple[Sheet, ...] = (UNITS, HOUSES, HAZARDS, INSPECTIONS, INCIDENTS)
SHEET_BY_NAME = {s.name: s for s in SHEETS}

_NOTE = re.compile(r"[(（\[【].*?[)）\]】]")


def normalize_header(text: object) -> str:
    """Header as compared: NFKC, no spaces, no `*`, no bracketed notes, lower case."""
    s = unicodedata.normalize("NFKC", "" if text is None else str(text))
    s = _NOTE.sub("", s)
    return re.sub(r"[\s*:：/、_-]+", "", s).lower()


@cache
def header_index(sheet: Sheet) -> dict[str, Column]:
    """Normalised header or alias → column."""
    index: dict[str, Column] = {}
    for col in sheet.columns:
        for name in (col.header, *col.aliases):
            index.setdefault(normalize_header(name), col)
    return index


def match_headers(sheet: Sheet, headers: list[object]) -> dict[int, Column]:
    """Position in the header row → template column (the first of duplicates wins)."""
    index = header_index(sheet)
    found: dict[int, Column] = {}
    taken: set[str] = set()
    for pos, raw in enumerate(headers):
        col = index.get(normalize_header(raw))
        if col is not None and col.field not in taken:
            found[pos] = col
            taken.add(col.field)
    return found


def sheet_for_name(name: str) -> Sheet | None:
    """The template sheet a sheet or CSV file name refers to (群租房登记表 → 群租房)."""
    n = normalize_header(name)
    hits = [s for s in SHEETS if s.name in n]
    return hits[0] if len(hits) == 1 else None
