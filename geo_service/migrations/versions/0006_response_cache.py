"""response cache keyed by a data version bumped at every writing commit

Revision ID: 0006_response_cache
Revises: 0005_access_aggregates
Create Date: 2026-11-29 15:20:00

SQL in `geo_service/cache/sql/0006_*.sql`; what it is for: docs/cache.md.
"""

from collections.abc import Sequence

from geo_service.migrations.sqlfile import run_sql_file

revision: str = "0006_response_cache"
down_revision: str | None = "0005_access_aggregates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    run_sql_file("geo_service.cache", "0006_cache.sql")


def downgrade() -> None:
    run_sql_file("geo_service.cache", "0006_downgrade.sql")
