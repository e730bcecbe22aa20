"""The roles of SPEC §1 and the PostgreSQL role each one works under.

Every API request runs `SET LOCAL ROLE geo_api_<role>`; the policies and privileges of that
database role decide what the request can read and change. The mapping is fixed here and
never taken from request input.
"""

from enum import StrEnum


class Role(StrEnum):
    """用户角色 (SPEC §1)."""

    ADMIN = "admin"  # 系统管理员: users and configuration
    LEADER = "leader"  # 镇领导 / 领导小组
    SUPERVISOR = "supervisor"  # 专项督导组
    POLICE = "police"  # 派出所
    DEPARTMENT = "department"  # 建设局 / 自规所 / 电力公司, bound to its department unit
    VILLAGE = "village"  # 村（社区）网格员, bound to one village or community


ROLE_ZH = {
    Role.ADMIN: "系统管理员",
    Role.LEADER: "镇领导",
    Role.SUPERVISOR: "督导组",
    Role.POLICE: "派出所",
    Role.DEPARTMENT: "职能部门",
    Role.VILLAGE: "村（社区）",
}

# The group role holding what every API role shares (reference layers, sequences).
API_GROUP = "geo_api"


def db_role(role: Role) -> str:
    """The NOLOGIN PostgreSQL role a request of `role` runs as."""
    return f"{API_GROUP}_{Role(role).value}"


ALL_DB_ROLES = (API_GROUP, *(db_role(r) for r in Role))

# Roles bound to a unit: village staff to a village/community, departments to a department.
UNIT_KINDS: dict[Role, tuple[str, ...]] = {
    Role.VILLAGE: ("village", "community"),
    Role.DEPARTMENT: ("department",),
}

# Roles that see personal data unmasked (village staff: only their own unit's houses).
UNMASKED_ROLES = frozenset({Role.POLICE, Role.VILLAGE})
# Roles that may read incident records (警情) themselves; leaders get aggregates only.
INCIDENT_ROLES = frozenset({Role.POLICE})
# Roles that see incident hot spots (aggregates on hexagons of at least 100 m).
HOTSPOT_ROLES = frozenset({Role.LEADER, Role.SUPERVISOR, Role.POLICE})
# Roles that may read the audit log.
AUDIT_ROLES = frozenset({Role.ADMIN, Role.POLICE})


def parse_role(value: str) -> Role:
    """A role from its English code or Chinese label; ValueError otherwise."""
    for role in Role:
        if value in (role.value, ROLE_ZH[role]):
            return role
    codes = ", ".join(f"{r.value} ({ROLE_ZH[r]})" for r in Role)
    raise ValueError(f"unknown role {value!r}; one of {codes} (未知角色)")
