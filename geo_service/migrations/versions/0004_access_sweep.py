"""access rules the analytics, routes and map endpoints need

Revision ID: 0004_access_sweep
Revises: 0003_access
Create Date: 2026-11-29 15:00:00

SQL in `geo_service/access/sql/0004_*.sql`.
"""

from collections.abc import Sequence

from geo_service.migrations.sqlfile import run_sql_file

revision: str = "0004_access_sweep"
down_revision: str | None = "0003_access"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _run_sql(name: str) -> None:
    run_sql_file("geo_service.access", name)


def upgrade() -> None:
    _run_sql("0004_sweep.sql")


def downgrade() -> None:
    _run_sql("0004_downgrade.sql")
