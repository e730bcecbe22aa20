"""inspections with their outcome: 检查单位, 督导 kind, 是否发现隐患, a sheet key; hazards link to
the inspection that found them; the view `inspection_events`

Revision ID: 0016_inspection_outcomes
Revises: 0014_house_history
Create Date: 2026-12-06 13:00:00

The risk model learns where hazards are found (issue 16): it needs every inspection with its
outcome, imported from the `检查记录` sheet or written by a patrol visit. The kind 'joint'
(联合督查) becomes 'supervision' (督导). SQL in `geo_service/domain/sql/0016_*.sql`; what the
columns mean: docs/inspections.md.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from geo_service.clock import town_tz
from geo_service.migrations.sqlfile import run_sql_file

revision: str = "0016_inspection_outcomes"
down_revision: str | None = "0014_house_history"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The day of a patrol visit written before is its day in the town's time zone.
    op.execute(sa.text("SELECT set_config('geo.town_tz', :tz, true)").bindparams(tz=str(town_tz())))
    run_sql_file("geo_service.domain", "0016_inspection_outcomes.sql")


def downgrade() -> None:
    run_sql_file("geo_service.domain", "0016_downgrade.sql")
