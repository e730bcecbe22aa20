"""What an uploader may change, checked twice: by the import before it writes, then by
PostgreSQL while it writes.

| role | may upload |
|---|---|
| village (村（社区）) | its unit's row of 单位 (flags), its houses, their hazards, inspections |
| department (职能部门) | 整改日期 and 复核日期 of the hazards transferred to it |
| police (派出所) | 警情 |
| admin (系统管理员) | everything, layers included: what `geo-service import` does (no scope) |

`check` refuses the rows out of scope before anything is written, each with a reason naming
the unit (geo_service.uploads.refusals); its look-ups run as the owner, so they can say whose a
house is. Every write then runs as `geo_import_<role>` (migration 0010) with the uploader's unit
in the settings the row-level policies read: a row the checks missed is refused by the
database and the whole file rolled back, never written and never skipped.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from psycopg2 import sql as pgsql

from etl.context import Context
from etl.parse import Parsed
from geo_service.access.accounts import Principal
from geo_service.access.roles import Role
from geo_service.sqlfiles import script
from geo_service.uploads import refusals

# Roles that may upload at all (the endpoint table refuses the others).
UPLOAD_ROLES = frozenset({Role.ADMIN, Role.VILLAGE, Role.DEPARTMENT, Role.POLICE})
# Only the administrator imports GIS layers (boundaries, key areas, roads, addresses).
LAYER_ROLES = frozenset({Role.ADMIN})

_SETTINGS = (
    "SELECT set_config('app.unit_id', %(unit)s, true), "
    "set_config('app.department_id', %(department)s, true), "
    "set_config('app.unit_name', %(unit_name)s, true), "
    "set_config('app.import_actor', %(actor)s, true)"
)


def write_role(role: Role) -> str:
    """The database role an upload of `role` writes under (migration 0010)."""
    return f"geo_import_{Role(role).value}"


@dataclass(frozen=True)
class UploadScope:
    """The limits of one user's upload (an `etl.scope.ImportScope`)."""

    user: Principal

    def check(self, parsed: Parsed, ctx: Context) -> None:
        refusals.refuse_out_of_scope(parsed, ctx, self.user)

    @contextmanager
    def writing(self, cur) -> Iterator[None]:
        # The settings the policies read (app.unit_id, app.unit_name, app.department_id), the name
        # the audit rows must carry (app.import_actor); all end with the import's transaction.
        cur.execute(
            _SETTINGS,
            {
                "unit": str(self.user.village_unit_id or ""),
                "department": str(self.user.department_id or ""),
                "unit_name": self.user.unit_name if self.user.village_unit_id else "",
                "actor": self.user.username,
            },
        )
        cur.execute(pgsql.SQL("SET LOCAL ROLE {}").format(pgsql.Identifier(self.role_name)))
        yield
        # Not reached when a statement failed: the transaction then rolls back, role and all.
        cur.execute("SET LOCAL ROLE NONE")

    def upsert_sql(self, name: str) -> str | None:
        if self.user.role == Role.DEPARTMENT and name == "hazards":
            return _sql("hazards_rectify.sql")
        return None

    @property
    def role_name(self) -> str:
        return write_role(self.user.role)


def scope_for(user: Principal) -> UploadScope | None:
    """The scope of `user`'s uploads; None for the administrator, who imports as the CLI does."""
    if user.role not in UPLOAD_ROLES:
        raise ValueError(f"role {user.role} may not upload")
    return None if user.role == Role.ADMIN else UploadScope(user)


def _sql(name: str) -> str:
    return script("geo_service.uploads", f"sql/{name}")
