"""incident aggregates planned per call: fast at city scale

Revision ID: 0005_access_aggregates
Revises: 0004_access_sweep
Create Date: 2026-11-29 16:30:00

SQL in `geo_service/access/sql/0005_*.sql`.
"""

from collections.abc import Sequence

from geo_service.migrations.sqlfile import run_sql_file

revision: str = "0005_access_aggregates"
down_revision: str | None = "0004_access_sweep"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _run_sql(name: str) -> None:
    run_sql_file("geo_service.access", name)


def upgrade() -> None:
    _run_sql("0005_aggregates.sql")


def downgrade() -> None:
    _run_sql("0005_downgrade.sql")
