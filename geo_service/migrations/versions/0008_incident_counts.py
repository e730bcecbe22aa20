"""incident_counts_near counts set-based: one pass over the incidents, not a probe per house

Revision ID: 0008_incident_counts
Revises: 0007_geocode_numbers
Create Date: 2026-11-29 18:00:00

The risk ranking's incident factor took over two minutes at city scale (900,000 GiST probes).
Same function, same arguments, same answers; still SECURITY DEFINER (docs/access.md).
SQL in `geo_service/access/sql/0008_*.sql`; the downgrade restores the 0005 body.
"""

from collections.abc import Sequence

from geo_service.migrations.sqlfile import run_sql_file

revision: str = "0008_incident_counts"
down_revision: str | None = "0007_geocode_numbers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    run_sql_file("geo_service.access", "0008_incident_counts.sql")


def downgrade() -> None:
    run_sql_file("geo_service.access", "0008_downgrade.sql")
