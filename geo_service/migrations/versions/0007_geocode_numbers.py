"""index the standard addresses by their numbers, so the geocoder reads only what a file needs

Revision ID: 0007_geocode_numbers
Revises: 0006_response_cache
Create Date: 2026-11-29 15:30:00

The fuzzy geocoder compares an address only with the standard addresses of the same unit
that carry the same numbers (`etl/sql/geocode_candidates.sql`). Without this index it had
to read the whole layer (over a million door plates at city scale) for every import.
`IF NOT EXISTS`: a database may already carry the index, built by hand ahead of the upgrade.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_geocode_numbers"
down_revision: str | None = "0006_response_cache"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Must stay identical to the expression in etl/sql/geocode_candidates.sql and models.py.
NUMBERS = "btrim(regexp_replace(normalized, '[^0-9]+', ' ', 'g'))"


def upgrade() -> None:
    op.create_index(
        "ix_addresses_numbers",
        "addresses",
        [sa.text(NUMBERS), "unit_id"],
        if_not_exists=True,
    )


def downgrade() -> None:
    op.drop_index("ix_addresses_numbers", table_name="addresses", if_exists=True)
