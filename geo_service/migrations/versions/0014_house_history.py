"""house history: every as-of figure uses the house as recorded on that day

Revision ID: 0014_house_history
Revises: 0013_incident_privacy
Create Date: 2026-12-06 13:00:00

A village's October 台账 overwrote September's, so September's scores, 附件2 rates, CCTV rule,
popups and dashboard silently used October's houses (issue 15). Now `houses` is the current
version with the day it took effect (`valid_from`), `house_versions` keeps the superseded and
back-dated versions, triggers keep both in the writing transaction, and `house_state(d)` is
every house as it stood on d (docs/history.md). SQL in `geo_service/domain/sql/0014_*.sql`.
"""

from collections.abc import Sequence

from geo_service.migrations.sqlfile import run_sql_file

revision: str = "0014_house_history"
down_revision: str | None = "0013_incident_privacy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    run_sql_file("geo_service.domain", "0014_house_history.sql")


def downgrade() -> None:
    run_sql_file("geo_service.domain", "0014_downgrade.sql")
