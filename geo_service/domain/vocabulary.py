"""Controlled vocabularies of the plan, each English code beside its Chinese label."""

from dataclasses import dataclass
from enum import StrEnum


class UnitKind(StrEnum):
    """单位类型."""

    VILLAGE = "village"  # 村
    COMMUNITY = "community"  # 社区
    DEPARTMENT = "department"  # 部门


UNIT_KIND_ZH = {UnitKind.VILLAGE: "村", UnitKind.COMMUNITY: "社区", UnitKind.DEPARTMENT: "部门"}


class KeyAreaKind(StrEnum):
    """重点区域 (SPEC §2)."""

    URBAN_VILLAGE = "urban_village"  # 城中村
    OLD_ESTATE = "old_estate"  # 老旧小区
    RESETTLEMENT_ESTATE = "resettlement_estate"  # 拆迁安置小区
    RURAL_SELF_BUILT = "rural_self_built"  # 农村自建房
    CAMPUS = "campus"  # 校园周边


KEY_AREA_KIND_ZH = {
    KeyAreaKind.URBAN_VILLAGE: "城中村",
    KeyAreaKind.OLD_ESTATE: "老旧小区",
    KeyAreaKind.RESETTLEMENT_ESTATE: "拆迁安置小区",
    KeyAreaKind.RURAL_SELF_BUILT: "农村自建房",
    KeyAreaKind.CAMPUS: "校园周边",
}


class InspectionKind(StrEnum):
    """检查类型 of the 检查记录 sheet (migration 0016)."""

    SELF = "self"  # 自查: the village's own check (its grid worker)
    SPECIAL = "special"  # 专项检查: a department's or the town's campaign check
    SUPERVISION = "supervision"  # 督导: the supervision group (was 'joint', 联合督查)
    REVIEW = "review"  # 回头看: a revisit, e.g. a patrol team's visit


INSPECTION_KIND_ZH = {
    InspectionKind.SELF: "自查",
    InspectionKind.SPECIAL: "专项检查",
    InspectionKind.SUPERVISION: "督导",
    InspectionKind.REVIEW: "回头看",
}
INSPECTION_KIND_BY_ZH = {zh: kind for kind, zh in INSPECTION_KIND_ZH.items()}


class Severity(StrEnum):
    """隐患等级."""

    MAJOR = "major"  # 重大
    GENERAL = "general"  # 一般


SEVERITY_ZH = {Severity.MAJOR: "重大", Severity.GENERAL: "一般"}


@dataclass(frozen=True)
class HazardCategory:
    """One hazard category (隐患类别) of SPEC §3.2."""

    code: str
    label_zh: str
    group: str
    group_zh: str
    default_severity: Severity
    department_zh: str
    # Fire, explosion or collapse: what the review phase (回头看) revisits first (SPEC §4.4).
    catastrophic: bool = False


_H, _F, _S, _P, _E = "house", "fire", "security", "public_security", "power"
_GROUP_ZH = {_H: "房屋安全", _F: "消防安全", _S: "安防设施", _P: "治安", _E: "供电"}
MAJOR, GENERAL = Severity.MAJOR, Severity.GENERAL

HAZARD_CATEGORIES: tuple[HazardCategory, ...] = tuple(
    HazardCategory(code, zh, group, _GROUP_ZH[group], severity, dept, catastrophic)
    for code, zh, group, severity, dept, catastrophic in [
        ("illegal_construction", "违法建设", _H, GENERAL, "自规所", False),
        ("unauthorised_change", "未经批准擅自改变房屋结构和用途", _H, GENERAL, "建设局", True),
        ("below_standard", "不符合安全、防灾等工程建设强制性标准", _H, MAJOR, "建设局", True),
        ("dangerous_house", "经鉴定属于危险房屋不能用于居住", _H, MAJOR, "建设局", True),
        ("lpg_cylinder", "违规使用液化气瓶", _F, MAJOR, "派出所", True),
        ("open_flame", "违规使用明火", _F, MAJOR, "派出所", True),
        ("improvised_wiring", "私拉乱接电线", _F, GENERAL, "派出所", True),
        ("blocked_escape", "逃生通道不畅通", _F, MAJOR, "派出所", True),
        ("ebike", "电瓶车违规停放、充电", _F, MAJOR, "派出所", True),
        ("fire_equipment_missing", "未配备灭火、逃生器材", _F, GENERAL, "派出所", False),
        ("cctv_missing", "未按规定安装视频监控", _S, GENERAL, "派出所", False),
        ("crime", "违法犯罪问题", _P, MAJOR, "派出所", False),
        ("power_facility", "供配电设施隐患", _E, GENERAL, "电力公司", False),
    ]
)

CATEGORY_BY_CODE = {c.code: c for c in HAZARD_CATEGORIES}
CATEGORY_BY_ZH = {c.label_zh: c for c in HAZARD_CATEGORIES}

INCIDENT_TYPES_ZH = ("盗窃", "纠纷", "诈骗", "火警", "治安")
