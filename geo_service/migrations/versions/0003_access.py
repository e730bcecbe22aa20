"""access control: users, API database roles, row-level security, masking, audit triggers

Revision ID: 0003_access
Revises: 0002_routes
Create Date: 2026-11-29 13:00:00

The SQL lives in `geo_service/access/sql/0003_*.sql`; those files belong to this revision
(later changes go into new revisions with files of their own).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from geo_service.migrations.sqlfile import run_sql_file

revision: str = "0003_access"
down_revision: str | None = "0002_routes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _run_sql(name: str) -> None:
    run_sql_file("geo_service.access", name)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("disabled", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("token_epoch", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "role IN ('admin', 'leader', 'supervisor', 'police', 'department', 'village')",
            name="user_role",
        ),
        sa.CheckConstraint(
            "role NOT IN ('department', 'village') OR unit_id IS NOT NULL", name="user_unit"
        ),
        sa.CheckConstraint("failed_logins >= 0", name="user_failed_logins"),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    _run_sql("0003_roles.sql")
    _run_sql("0003_functions.sql")
    _run_sql("0003_policies.sql")


def downgrade() -> None:
    _run_sql("0003_downgrade.sql")
    op.drop_table("users")
