"""event ledger: per-unit analytics as sums of dated deltas kept by statement triggers

Revision ID: 0015_ledger
Revises: 0014_house_history
Create Date: 2026-12-06 13:40:00

Every import invalidated the response cache and every as-of day is a new question, so users met
the computed time of the per-unit analytics often: 1–2 s at city scale, reading 900,000 houses
and 1.2 million hazard states. Now the counts behind the 附件1 scores and the 附件2 table are
dated +/− events per unit and dimension, kept by statement triggers in the writing
transaction; an as-of answer sums the events up to D (docs/ledger.md). SQL in
`geo_service/analytics/sql/0015_*.sql`.
"""

from collections.abc import Sequence

from geo_service.migrations.sqlfile import run_sql_file

revision: str = "0015_ledger"
down_revision: str | None = "0014_house_history"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    run_sql_file("geo_service.analytics", "0015_ledger.sql")


def downgrade() -> None:
    run_sql_file("geo_service.analytics", "0015_downgrade.sql")
