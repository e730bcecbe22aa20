"""Rows an uploader may not change, refused before the import writes, with a reason naming the
unit (Chinese, then English), like every other rejection in the error report.

Look-ups run on the import's connection as the owner (outside `UploadScope.writing`): a village
cannot read another unit's houses, but its refusal must say whose the house is.
"""

import pandas as pd

from etl.context import Context
from etl.parse import Parsed
from etl.rejections import Rejection
from etl.sheets import hazards as hazard_sheet
from etl.sheets.units import KIND_BY_ZH
from geo_service.access.accounts import Principal
from geo_service.access.roles import Role
from geo_service.domain.vocabulary import CATEGORY_BY_CODE, SEVERITY_ZH

CODE = "out_of_scope"  # the rejections' reason code, for programs
# The column that names a row of each sheet: where a refusal of the whole row is shown.
KEY_FIELD = {
    "单位": "name",
    "群租房": "house_code",
    "隐患": "hazard_code",
    "检查记录": "house_code",
    "警情": "incident_code",
}
KIND_ZH = {"village": "村", "community": "社区", "department": "部门"}
# What a department's 隐患 row may change; every other filled cell must match the database.
RECTIFICATION = {"rectified_on", "verified_on"}


def refuse_out_of_scope(parsed: Parsed, ctx: Context, user: Principal) -> None:
    """Add a rejection for every row of this sheet `user` may not change."""
    sheet = parsed.sheet.name
    if user.role == Role.VILLAGE:
        if sheet == "警情":
            _refuse_all(parsed, "警情只能由派出所上报", "incidents are reported by the police only")
        else:
            {
                "单位": _village_units,
                "群租房": _village_houses,
                "隐患": _village_hazards,
                "检查记录": _village_inspections,
            }[sheet](parsed, ctx, user)
    elif user.role == Role.DEPARTMENT:
        if sheet == "隐患":
            _department_hazards(parsed, ctx, user)
        else:
            _refuse_all(
                parsed,
                f"职能部门只能上报流转给本部门的隐患的整改日期和复核日期，不能上报{sheet}表",
                "a department reports the rectification of hazards transferred to it only",
            )
    elif user.role == Role.POLICE and sheet != "警情":
        _refuse_all(
            parsed,
            f"派出所只能上报警情；{sheet}表请由村（社区）或系统管理员上报",
            "the police upload incidents (警情) only",
        )


def _refuse(parsed: Parsed, idx: object, field: str, zh: str, en: str) -> None:
    value = parsed.raw.at[idx, field] if field in parsed.raw else None
    shown = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    row = int(parsed.frame.at[idx, "_row"])
    r = parsed.rejections
    r.extend([Rejection(r.source, r.sheet, row, parsed.header(field), shown, zh, en, CODE)])


def _refuse_all(parsed: Parsed, zh: str, en: str) -> None:
    field = KEY_FIELD[parsed.sheet.name]
    for idx in parsed.frame.index:
        _refuse(parsed, idx, field, zh, en)


def _lookup(ctx: Context, query: str, codes: pd.Series, *params: object) -> dict:
    """`query`'s (code, value) rows for the distinct codes of this sheet, as a dict."""
    wanted = sorted({c for c in codes if c is not None})
    if not wanted:
        return {}
    with ctx.conn.cursor() as cur:
        cur.execute(query, (wanted, *params))
        return dict(cur.fetchall())


# -- village: its own unit only ------------------------------------------------------------------


def _not_ours(user: Principal) -> tuple[str, str]:
    return (
        f"村（社区）用户只能上报本单位（{user.unit_name}）的数据",
        f"village users report their own unit ({user.unit_name}) only",
    )


def _village_units(parsed: Parsed, ctx: Context, user: Principal) -> None:
    """Its own unit's row (the responsibility flags); no other unit, no change of type."""
    own_zh, own_en = _not_ours(user)
    stored_kind = ctx.units.get(user.unit_name, (None, None))[1]
    for idx, name in parsed.column("name").items():
        if name is None:
            continue
        if name != user.unit_name:
            _refuse(parsed, idx, "name", f"单位“{name}”不是本单位：{own_zh}", own_en)
            continue
        written = parsed.column("kind_zh")[idx]
        kind = KIND_BY_ZH.get(str(written).lower()) if written is not None else None
        if kind is not None and kind != stored_kind:
            _refuse(
                parsed,
                idx,
                "kind_zh",
                f"单位类型不能由村（社区）修改（系统中为{KIND_ZH.get(stored_kind, stored_kind)}）",
                "a village may not change its unit type",
            )


def _village_houses(parsed: Parsed, ctx: Context, user: Principal) -> None:
    """所属单位 must be its unit, and a house already registered elsewhere stays there."""
    own_zh, own_en = _not_ours(user)
    refused = set()
    for idx, written in parsed.column("unit_name").items():
        unit = ctx.normalizer.resolve_unit(written)
        if unit is not None and unit != user.unit_name:  # unknown units: the engine says so
            named = f"“{written}”" if written == unit else f"“{written}”（{unit}）"
            _refuse(parsed, idx, "unit_name", f"所属单位{named}不是本单位：{own_zh}", own_en)
            refused.add(idx)
    codes = parsed.column("house_code")
    elsewhere = _lookup(
        ctx,
        "SELECT h.house_code, u.name FROM houses h JOIN units u ON u.id = h.unit_id "
        "WHERE h.house_code = ANY(%s) AND h.unit_id <> %s",
        codes,
        user.unit_id,
    )
    for idx, code in codes.items():
        if code in elsewhere and idx not in refused:
            _refuse(
                parsed,
                idx,
                "house_code",
                f"房屋编号“{code}”已登记在{elsewhere[code]}，不属于本单位：{own_zh}",
                f"house {code} is registered in {elsewhere[code]}: {own_en}",
            )


def _foreign_houses(parsed: Parsed, ctx: Context, user: Principal) -> dict[str, str]:
    """The sheet's 房屋编号 recorded in another unit, with that unit's name."""
    return _lookup(
        ctx,
        "SELECT h.house_code, u.name FROM houses h JOIN units u ON u.id = h.unit_id "
        "WHERE h.house_code = ANY(%s) AND h.unit_id <> %s",
        parsed.column("house_code"),
        user.unit_id,
    )


def _refuse_foreign_house(parsed: Parsed, idx, house: str, unit: str, user: Principal) -> None:
    own_zh, own_en = _not_ours(user)
    _refuse(
        parsed,
        idx,
        "house_code",
        f"房屋“{house}”属于{unit}，不属于本单位：{own_zh}",
        f"house {house} belongs to {unit}: {own_en}",
    )


def _village_hazards(parsed: Parsed, ctx: Context, user: Principal) -> None:
    """Hazards of its own houses only (new ones, and the ones already recorded)."""
    own_zh, own_en = _not_ours(user)
    houses = parsed.column("house_code")
    house_unit = _foreign_houses(parsed, ctx, user)
    codes = parsed.column("hazard_code")
    hazard_unit = _lookup(
        ctx,
        "SELECT z.hazard_code, u.name FROM hazards z JOIN houses h ON h.id = z.house_id "
        "JOIN units u ON u.id = h.unit_id WHERE z.hazard_code = ANY(%s) AND h.unit_id <> %s",
        codes,
        user.unit_id,
    )
    for idx in parsed.frame.index:
        house, code = houses[idx], codes[idx]
        if house in house_unit:
            _refuse_foreign_house(parsed, idx, house, house_unit[house], user)
        elif code in hazard_unit:
            _refuse(
                parsed,
                idx,
                "hazard_code",
                f"隐患“{code}”是{hazard_unit[code]}房屋的隐患，不属于本单位：{own_zh}",
                f"hazard {code} is one of {hazard_unit[code]}'s: {own_en}",
            )


def _village_inspections(parsed: Parsed, ctx: Context, user: Principal) -> None:
    """Inspections of its own houses only."""
    house_unit = _foreign_houses(parsed, ctx, user)
    for idx, house in parsed.column("house_code").items():
        if house in house_unit:
            _refuse_foreign_house(parsed, idx, house, house_unit[house], user)


# -- department: the rectification of hazards transferred to it --------------------------------

_STORED_HAZARDS = """
    SELECT z.hazard_code, json_build_object(
        'department_id', z.department_id, 'department_name', d.name,
        'house_code', h.house_code, 'category', z.category, 'severity', z.severity,
        'found_on', z.found_on, 'deadline_on', z.deadline_on, 'transferred_on', z.transferred_on,
        'posted_on_wall', z.posted_on_wall, 'entered_in_system', z.entered_in_system,
        'description', z.description)
    FROM hazards z JOIN houses h ON h.id = z.house_id LEFT JOIN units d ON d.id = z.department_id
    WHERE z.hazard_code = ANY(%s)
"""


def _department_hazards(parsed: Parsed, ctx: Context, user: Principal) -> None:
    mine = f"本部门（{user.unit_name}）"
    codes = parsed.column("hazard_code")
    stored = _lookup(ctx, _STORED_HAZARDS, codes)
    for idx, code in codes.items():
        if code is None:
            continue  # the engine rejects the empty key
        s = stored.get(code)
        if s is None:
            _refuse(
                parsed,
                idx,
                "hazard_code",
                f"隐患“{code}”不存在：职能部门不能新增隐患，只能上报流转给{mine}的隐患的整改情况",
                f"no hazard {code}: a department cannot add hazards",
            )
        elif s["department_id"] != user.unit_id:
            where = f"流转给了{s['department_name']}" if s["department_name"] else "未流转"
            _refuse(
                parsed,
                idx,
                "hazard_code",
                f"隐患“{code}”{where}，不是{mine}的隐患",
                f"hazard {code} was not transferred to your department ({user.unit_name})",
            )
        else:
            for field, shown in _changed(parsed, idx, s):
                _refuse(
                    parsed,
                    idx,
                    field,
                    f"职能部门只能修改整改日期和复核日期；此列与系统中的值（{shown}）不同",
                    f"a department may change 整改日期 and 复核日期 only; stored: {shown}",
                )


def _changed(parsed: Parsed, idx: object, stored: dict) -> list[tuple[str, str]]:
    """(field, stored value) of the filled cells of this row that differ from the database;
    an empty optional cell asks for nothing (a department's write leaves those fields alone)."""
    out = []
    for field in sorted(parsed.present - RECTIFICATION - {"hazard_code"}):
        value = parsed.frame.at[idx, field] if field in parsed.frame else None
        if value is None or (isinstance(value, float) and pd.isna(value)):
            continue
        if field == "category_zh":
            key, value = "category", hazard_sheet._category(value)
        elif field == "severity_zh":
            key, value = "severity", hazard_sheet._SEVERITY.get(str(value).strip(), value)
        else:
            key = field
        have = stored.get(key)
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        if isinstance(value, str) and isinstance(have, str):
            value, have = value.strip(), have.strip()
        if value is not None and value != have:
            out.append((field, _shown(key, have)))
    return out


def _shown(key: str, stored: object) -> str:
    """A stored value as the template writes it (隐患类别 and 隐患等级 in Chinese, 是/否)."""
    if stored is None:
        return "空"
    if key == "category" and stored in CATEGORY_BY_CODE:
        return CATEGORY_BY_CODE[stored].label_zh
    if key == "severity":
        return {s.value: zh for s, zh in SEVERITY_ZH.items()}.get(stored, str(stored))
    if isinstance(stored, bool):
        return "是" if stored else "否"
    return str(stored)
