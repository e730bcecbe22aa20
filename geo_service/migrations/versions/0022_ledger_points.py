"""the houses' ledger trigger accepts a house gaining or losing its point

Revision ID: 0022_ledger_points
Revises: 0021_scoped_cache
Create Date: 2026-12-06 17:00:00

SQL in `geo_service/analytics/sql/0022_*.sql`.
"""

from collections.abc import Sequence

from geo_service.migrations.sqlfile import run_sql_file

revision: str = "0022_ledger_points"
down_revision: str | None = "0021_scoped_cache"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    run_sql_file("geo_service.analytics", "0022_ledger_points.sql")


def downgrade() -> None:
    run_sql_file("geo_service.analytics", "0022_downgrade.sql")
