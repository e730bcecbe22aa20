"""indexes the computed analytics read at city scale (overdue and CCTV first pages)

Revision ID: 0019_analytics_indexes
Revises: 0018_risk_models
Create Date: 2026-12-06 14:40:00

The overdue list read every hazard and every house (1.5 s at 900,000 houses); it now reads the
hazards still open on D from one index and each one's house from another, both index-only.
The CCTV list reads each unit's houses in code order until its first page is full.
SQL in `geo_service/analytics/sql/0019_*.sql`.
"""

from collections.abc import Sequence

from geo_service.migrations.sqlfile import run_sql_file

revision: str = "0019_analytics_indexes"
down_revision: str | None = "0018_risk_models"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    run_sql_file("geo_service.analytics", "0019_analytics_indexes.sql")


def downgrade() -> None:
    run_sql_file("geo_service.analytics", "0019_downgrade.sql")
