"""learned risk models: stored fits with their back-test, and the model's incident feature

Revision ID: 0018_risk_models
Revises: 0017_risk_ranking
Create Date: 2026-12-06 13:00:00

SQL in `geo_service/learn/sql/0018_*.sql`; what it is for: docs/risk.md.
"""

from collections.abc import Sequence

from geo_service.migrations.sqlfile import run_sql_file

revision: str = "0018_risk_models"
down_revision: str | None = "0017_risk_ranking"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    run_sql_file("geo_service.learn", "0018_risk_models.sql")


def downgrade() -> None:
    run_sql_file("geo_service.learn", "0018_downgrade.sql")
