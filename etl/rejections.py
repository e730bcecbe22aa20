"""Why a row is refused: one catalogue of reasons, each in Chinese and English."""

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

REASONS: dict[str, tuple[str, str]] = {
    "missing_column": ("缺少必填列“{header}”", "required column “{header}” is missing"),
    "required": ("必填项为空", "required value is empty"),
    "bad_bool": ("无法识别的是/否值（可填 是/否、√/×、1/0、Y/N）", "not a yes/no value"),
    "bad_date": (
        "无法识别的日期（可填 2022-05-01、2022/5/1、2022年5月1日）",
        "not a date (2022-05-01, 2022/5/1, 2022年5月1日)",
    ),
    "bad_datetime": ("无法识别的日期时间", "not a date and time"),
    "bad_int": ("不是整数", "not a whole number"),
    "bad_number": ("不是数字", "not a number"),
    "negative": ("不能为负数", "must not be negative"),
    "too_large": ("数值大于 {limit}，不合常理", "larger than {limit}, not plausible"),
    "too_long": ("超过 {limit} 个字符", "longer than {limit} characters"),
    "future_date": ("日期晚于今天（{today}）", "date is in the future (today is {today})"),
    "before_found": ("早于发现日期", "earlier than the date found"),
    "before_rectified": ("早于整改日期", "earlier than the date rectified"),
    "registered_exceeds": (
        "已登记租住人数大于租住人数",
        "registered tenants exceed the tenants living there",
    ),
    "second_landlord_missing": (
        "填了二房东是否登记为“是”，却没有二房东姓名",
        "second landlord marked registered but no second landlord named",
    ),
    "second_landlord_unregistered_missing": (
        "有二房东时须填写二房东是否登记",
        "second landlord named: say whether registered",
    ),
    "unit_kind": ("单位类型须为 村、社区 或 部门", "unit type must be 村, 社区 or 部门"),
    "unknown_unit": (
        "单位“{value}”不存在（请先导入单位表）",
        "unknown unit “{value}” (import the 单位 sheet first)",
    ),
    "not_a_village": ("“{value}”是部门，不是村或社区", "“{value}” is a department, not a village"),
    "unknown_house": (
        "房屋编号“{value}”不存在（请先导入群租房表）",
        "unknown house “{value}” (import the 群租房 sheet first)",
    ),
    "unknown_department": (
        "流转部门“{value}”不存在（须为单位表中类型为部门的单位）",
        "unknown department “{value}” (must be a unit of type 部门)",
    ),
    "unknown_category": ("隐患类别“{value}”不在隐患目录中", "hazard category not in the list"),
    "bad_severity": ("隐患等级须为 重大 或 一般", "severity must be 重大 or 一般"),
    "duplicate_key": (
        "编号在本文件中重复（第 {first} 行已出现）",
        "duplicate id in this file (first on row {first})",
    ),
    "duplicate_record": (
        "同一房屋、检查日期、检查类型和检查单位的记录在本文件中重复（第 {first} 行已出现）",
        "the same house, day, kind and inspecting unit again (first on row {first})",
    ),
    "bad_inspection_kind": (
        "检查类型须为 自查、专项检查、督导 或 回头看",
        "inspection kind must be 自查, 专项检查, 督导 or 回头看",
    ),
    "duplicate_key_sheet": (
        "编号与工作表“{sheet}”第 {first} 行重复",
        "duplicate id: already on sheet “{sheet}”, row {first}",
    ),
    "unrecognised_row": (
        "既不是数据行，也不是空行、合计/小计行、签名/备注行或重复的表头；请删除或补全",
        "neither a record nor an empty, total, footer or repeated header row: "
        "delete or complete it",
    ),
    "header_differs": (
        "重复的表头与第 {first} 行的表头列序不同，其下各行会对错列；请统一表头",
        "a repeated header whose columns differ from the header on row {first}: rows below "
        "it would be read under the wrong headers",
    ),
    "coords_incomplete": ("经度、纬度须同时填写", "longitude and latitude go together"),
    "coords_range": ("经纬度超出范围（经度−180~180，纬度−90~90）", "coordinates out of range"),
    "coords_swapped": ("经度、纬度疑似填反", "longitude and latitude look swapped"),
    "outside_town": (
        "坐标（换算为 WGS84 后 {lon:.5f}, {lat:.5f}）不在本镇范围内",
        "coordinates ({lon:.5f}, {lat:.5f} in WGS84) are outside the town",
    ),
    "bad_crs": (
        "无法识别的坐标系（可填 WGS84、CGCS2000、GCJ02、BD09）",
        "unknown coordinate system",
    ),
    "id_number_as_number": (
        "证件号被 Excel 存成了数字，末几位已丢失；请把该列设为文本后重填",
        "ID number stored as a number by Excel; its last digits are lost — use a text cell",
    ),
    "no_geometry": ("要素没有几何图形", "feature has no geometry"),
    "bad_geometry_type": ("几何类型应为{expected}，实为{actual}", "geometry must be {expected}"),
    "duplicate_address": (
        "标准地址重复（与第 {first} 个要素规范化后相同）",
        "duplicate standard address (same as feature {first} once normalised)",
    ),
    "bad_oneway": ("单行字段须为 是/否 或 0/1", "oneway must be yes/no or 0/1"),
}

WHOLE_ROW = "整行 whole row"  # the column of a rejection that is about the row itself


@dataclass(frozen=True)
class Rejection:
    """One refused value: where it is (as the user sees it in Excel) and why."""

    source: str
    sheet: str
    row: int  # as in Excel: the header is row 1 (or the row it is on)
    column: str
    value: str
    reason_zh: str
    reason_en: str
    code: str = ""  # the reason's key in REASONS, for programs


def reason(key: str, **fmt: object) -> tuple[str, str]:
    zh, en = REASONS[key]
    return zh.format(**fmt), en.format(**fmt)


class RejectionList:
    """Collects the rejections of one sheet and knows which rows they rule out."""

    def __init__(self, source: str, sheet: str) -> None:
        self.source, self.sheet = source, sheet
        self.items: list[Rejection] = []
        self.bad_rows: set[int] = set()

    def add(self, row: int, column: str, cell: object, key: str, **fmt: object) -> None:
        """Reject `row` for `key`; reasons may quote the cell as {value}."""
        shown = "" if cell is None else str(cell)
        zh, en = reason(key, **{"value": shown, **fmt})
        self.items.append(Rejection(self.source, self.sheet, row, column, shown, zh, en, key))
        self.bad_rows.add(row)

    def add_mask(
        self,
        frame: pd.DataFrame,
        mask: pd.Series,
        column: str,
        key: str,
        values: pd.Series | None = None,
        **fmt: object,
    ) -> None:
        """Reject every row of `frame` where `mask` holds (values shown from `values`)."""
        if not mask.any():
            return
        shown = values if values is not None else pd.Series([None] * len(frame), frame.index)
        for row, value in zip(frame.loc[mask, "_row"], shown[mask], strict=True):
            self.add(int(row), column, value, key, **fmt)

    def extend(self, rows: Iterable[Rejection]) -> None:
        for r in rows:
            self.items.append(r)
            self.bad_rows.add(r.row)

    def __len__(self) -> int:
        return len(self.items)
