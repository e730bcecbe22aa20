"""incident aggregates planned per call: fast at city scale

Revision ID: 0005_access_aggregates
Revises: 0004_access_sweep
Create Date: 2026-11-29 16:30:00

SQL in `geo_service/access/sql/0005_*.sql`.
"""

from collections.abc import Sequence
from importlib import resources

from alembic import op

revision: str = "0005_access_aggregates"
down_revision: str | None = "0004_access_sweep"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _run_sql(name: str) -> None:
    sql = resources.files("geo_service.access").joinpath("sql", name).read_text("utf-8")
    with op.get_bind().connection.dbapi_connection.cursor() as cur:
        cur.execute(sql)


def upgrade() -> None:
    _run_sql("0005_aggregates.sql")


def downgrade() -> None:
    _run_sql("0005_downgrade.sql")
