"""work in the field: published plans, team members, visits from phones, their photos

Revision ID: 0012_field
Revises: 0011_uploads
Create Date: 2026-12-06 12:00:00

SQL in `geo_service/patrol/sql/0012_*.sql`; what it is for: docs/field.md.
"""

from collections.abc import Sequence

from geo_service.migrations.sqlfile import run_sql_file

revision: str = "0012_field"
down_revision: str | None = "0011_uploads"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    run_sql_file("geo_service.patrol", "0012_field.sql")


def downgrade() -> None:
    run_sql_file("geo_service.patrol", "0012_downgrade.sql")
