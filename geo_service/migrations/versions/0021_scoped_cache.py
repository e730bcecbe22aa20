"""the response cache keeps answers about places and units a change did not touch

Revision ID: 0021_scoped_cache
Revises: 0019_analytics_indexes
Create Date: 2026-12-06 16:40:00

Every writing transaction records its footprint (the box around the house points it touched,
and their units; anything else is global) under the version its commit makes. A tile, a bbox
feature page or one unit's list is kept with its box or units and stays valid while no later
change is global or touches them. SQL in `geo_service/cache/sql/0021_*.sql`; docs/cache.md.
"""

from collections.abc import Sequence

from geo_service.migrations.sqlfile import run_sql_file

revision: str = "0021_scoped_cache"
down_revision: str | None = "0019_analytics_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    run_sql_file("geo_service.cache", "0021_scoped_cache.sql")


def downgrade() -> None:
    run_sql_file("geo_service.cache", "0021_downgrade.sql")
