"""uploads (上报数据): the record of web uploads and the database roles their writes run under

Revision ID: 0011_uploads
Revises: 0010_api_keys
Create Date: 2026-12-06 11:00:00

`import_jobs` (one per upload request: who, when, options, progress) and `import_files` (each
file kept with its SHA-256, its result and its error report). The roles geo_import_<role> and
their rules: SQL in `geo_service/uploads/sql/0011_*.sql`; why: docs/upload.md.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from geo_service.migrations.sqlfile import run_sql_file

revision: str = "0011_uploads"
down_revision: str | None = "0010_api_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "heartbeat_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("accept_valid", sa.Boolean(), nullable=False),
        sa.Column("crs", sa.String(length=10), nullable=True),
        sa.Column("status", sa.String(length=10), server_default="queued", nullable=False),
        sa.Column("percent", sa.REAL(), server_default="0", nullable=False),
        sa.Column("stage", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name="import_job_status"
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_import_jobs_created_at", "import_jobs", ["created_at"])
    op.create_table(
        "import_files",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("job_id", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.SmallInteger(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=True),
        sa.Column("result", JSONB(), nullable=True),
        sa.Column("report", sa.LargeBinary(), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('imported', 'partial', 'rolled_back', 'failed')",
            name="import_file_outcome",
        ),
        sa.ForeignKeyConstraint(["job_id"], ["import_jobs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("job_id", "seq", name="uq_import_files_job_seq"),
    )
    run_sql_file("geo_service.uploads", "0011_roles.sql")
    run_sql_file("geo_service.uploads", "0011_uploads.sql")


def downgrade() -> None:
    run_sql_file("geo_service.uploads", "0011_downgrade.sql")
    op.drop_table("import_files")
    op.drop_index("ix_import_jobs_created_at", table_name="import_jobs")
    op.drop_table("import_jobs")
