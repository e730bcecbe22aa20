"""patrol routes: routing costs on roads, saved route plans

Revision ID: 0002_routes
Revises: 0001
Create Date: 2026-11-29 12:43:48
"""

from collections.abc import Sequence

import geoalchemy2
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002_routes"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _geometry(kind: str) -> geoalchemy2.types.Geometry:
    return geoalchemy2.types.Geometry(
        geometry_type=kind,
        srid=4326,
        dimension=2,
        spatial_index=False,
        from_text="ST_GeomFromEWKT",
        name="geometry",
    )


def upgrade() -> None:
    op.add_column("roads", sa.Column("length_m", sa.Float(), nullable=True))
    op.add_column("roads", sa.Column("cost_s", sa.Float(), nullable=True))
    op.add_column("roads", sa.Column("reverse_cost_s", sa.Float(), nullable=True))
    op.create_table(
        "route_plans",
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("plan_date", sa.Date(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("teams", sa.Integer(), nullable=False),
        sa.Column("params", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("instance", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("ref"),
    )
    op.create_index("ix_route_plans_date", "route_plans", ["plan_date"], unique=False)
    op.create_table(
        "route_plan_routes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_ref", sa.String(length=40), nullable=False),
        sa.Column("team", sa.Integer(), nullable=False),
        sa.Column("stops", sa.Integer(), nullable=False),
        sa.Column("driving_s", sa.Float(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("geom", _geometry("LINESTRING"), nullable=True),
        sa.ForeignKeyConstraint(["plan_ref"], ["route_plans.ref"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_route_plan_routes_geom",
        "route_plan_routes",
        ["geom"],
        unique=False,
        postgresql_using="gist",
    )
    op.create_index(
        "uq_route_plan_routes_team", "route_plan_routes", ["plan_ref", "team"], unique=True
    )
    op.create_table(
        "route_plan_stops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_ref", sa.String(length=40), nullable=False),
        sa.Column("team", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("house_id", sa.Integer(), nullable=False),
        sa.Column("arrival_s", sa.Integer(), nullable=False),
        sa.Column("departure_s", sa.Integer(), nullable=False),
        sa.Column("geom", _geometry("POINT"), nullable=True),
        sa.ForeignKeyConstraint(["house_id"], ["houses.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["plan_ref"], ["route_plans.ref"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_route_plan_stops_geom",
        "route_plan_stops",
        ["geom"],
        unique=False,
        postgresql_using="gist",
    )
    op.create_index("ix_route_plan_stops_house", "route_plan_stops", ["house_id"], unique=False)
    op.create_index(
        "uq_route_plan_stops_seq", "route_plan_stops", ["plan_ref", "team", "seq"], unique=True
    )


def downgrade() -> None:
    op.drop_table("route_plan_stops")
    op.drop_table("route_plan_routes")
    op.drop_table("route_plans")
    op.drop_column("roads", "reverse_cost_s")
    op.drop_column("roads", "cost_s")
    op.drop_column("roads", "length_m")
