"""risk ranking as a maintained table, refreshed in the background after the data change

Revision ID: 0017_risk_ranking
Revises: 0014_house_history
Create Date: 2026-12-06 13:30:00

Scoring 900,000 houses took 15 s per request; today's town-wide ranking is now kept in
`risk_ranking` (one row per house, method and audience) with `risk_ranking_runs` saying when
and from what it was computed. SQL in `geo_service/analytics/sql/0017_*.sql`.
"""

from collections.abc import Sequence

from geo_service.migrations.sqlfile import run_sql_file

revision: str = "0017_risk_ranking"
down_revision: str | None = "0014_house_history"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    run_sql_file("geo_service.analytics", "0017_risk_ranking.sql")


def downgrade() -> None:
    run_sql_file("geo_service.analytics", "0017_downgrade.sql")
