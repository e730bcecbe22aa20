"""incidents stay the police's: other roles count on one fixed 250 m grid over ended months

Revision ID: 0013_incident_privacy
Revises: 0012_field
Create Date: 2026-12-06 12:00:00

Leaders and the supervision group could place one incident to ~11 m and a single day by
intersecting hot-spot cells of chosen sizes and differencing risk rankings of two as-of days.
Now every incident aggregate a role other than the police can compute is on a fixed grid of
hexagons ≥ 250 m on the ground, over whole calendar months that have ended, with counts below 3
left out; administrators get no incident count at all (docs/access.md).
SQL in `geo_service/access/sql/0013_*.sql`.
"""

from collections.abc import Sequence

from geo_service.migrations.sqlfile import run_sql_file

revision: str = "0013_incident_privacy"
down_revision: str | None = "0012_field"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    run_sql_file("geo_service.access", "0013_incident_privacy.sql")


def downgrade() -> None:
    run_sql_file("geo_service.access", "0013_downgrade.sql")
    # CREATE OR REPLACE keeps the privileges just granted; bodies as 0005 and 0008 left them.
    run_sql_file("geo_service.access", "0005_aggregates.sql")
    run_sql_file("geo_service.access", "0008_incident_counts.sql")
