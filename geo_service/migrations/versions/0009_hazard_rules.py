"""rule parameters in the database; a hazard's deadline and state defined once, in SQL

Revision ID: 0009_hazard_rules
Revises: 0008_incident_counts
Create Date: 2026-12-06 11:00:00

Before, the deadline rule was written in Python three times and in SQL twice, and some
surfaces read a stored `due_on` while others recomputed it from the rules file (issue "One
source of truth"). Now `rule_params` holds the rules in force, `hazard_due()` is the deadline,
a trigger keeps `hazards.due_on` derived, and `hazard_state(d)` is every hazard's state on d.
The row starts with the packaged rules; `geo-service rules apply` loads a town's own file.
SQL in `geo_service/domain/sql/0009_*.sql`.
"""

from collections.abc import Sequence
from dataclasses import asdict

import sqlalchemy as sa
from alembic import op

from geo_service.domain.rules import fingerprint, load_rule_params
from geo_service.migrations.sqlfile import run_sql_file

revision: str = "0009_hazard_rules"
down_revision: str | None = "0008_incident_counts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    run_sql_file("geo_service.domain", "0009_hazard_rules.sql")
    packaged = load_rule_params()
    op.get_bind().execute(
        sa.text(
            "INSERT INTO rule_params (major_days, general_months, cctv_min_rooms, cctv_min_beds,"
            " cctv_min_tenants, cctv_min_retention_days, campus_buffer_m, fingerprint)"
            " VALUES (:major_deadline_days, :general_deadline_months, :cctv_min_rooms,"
            " :cctv_min_beds, :cctv_min_tenants, :cctv_min_retention_days, :campus_buffer_m,"
            " :fingerprint)"
        ),
        asdict(packaged) | {"fingerprint": fingerprint(packaged)},
    )
    # Rows written before the rule moved here keep the deadline they were given; make them
    # the rule's own (the trigger derives due_on on this no-op update).
    op.execute("UPDATE hazards SET due_on = due_on")


def downgrade() -> None:
    run_sql_file("geo_service.domain", "0009_downgrade.sql")
