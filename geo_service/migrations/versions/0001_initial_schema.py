"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29 12:36:27.395618
"""

from collections.abc import Sequence

import geoalchemy2
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from geo_service.domain.vocabulary import HAZARD_CATEGORIES

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # pgRouting serves only the patrol routes: a server without it still runs everything else.
    op.execute(
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pgrouting') "
        "THEN CREATE EXTENSION IF NOT EXISTS pgrouting; END IF; END $$"
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("table_name", sa.String(length=50), nullable=False),
        sa.Column("record_key", sa.Text(), nullable=True),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("detail", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"], unique=False)
    op.create_table(
        "hazard_categories",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label_zh", sa.Text(), nullable=False),
        sa.Column("group_code", sa.String(length=30), nullable=False),
        sa.Column("group_zh", sa.String(length=30), nullable=False),
        sa.Column("default_severity", sa.String(length=10), nullable=False),
        sa.Column("department_zh", sa.String(length=30), nullable=False),
        sa.Column("catastrophic", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
        sa.UniqueConstraint("label_zh"),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("value", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "roads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("road_class", sa.String(length=20), server_default="local", nullable=False),
        sa.Column("oneway", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("speed_kmh", sa.Float(), nullable=True),
        sa.Column("source", sa.BigInteger(), nullable=True),
        sa.Column("target", sa.BigInteger(), nullable=True),
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(
                geometry_type="LINESTRING",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.CheckConstraint("oneway IN (0, 1)", name="road_oneway"),
        sa.CheckConstraint("speed_kmh IS NULL OR speed_kmh > 0", name="road_speed"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_roads_geom", "roads", ["geom"], unique=False, postgresql_using="gist")
    op.create_table(
        "schools",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_index("ix_schools_geom", "schools", ["geom"], unique=False, postgresql_using="gist")
    op.create_table(
        "units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("has_task_list", sa.Boolean(), nullable=True),
        sa.Column("has_annual_plan", sa.Boolean(), nullable=True),
        sa.Column("holds_meetings", sa.Boolean(), nullable=True),
        sa.Column("accountability_evaluated", sa.Boolean(), nullable=True),
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("kind IN ('village', 'community', 'department')", name="unit_kind"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_index("ix_units_geom", "units", ["geom"], unique=False, postgresql_using="gist")
    op.create_table(
        "addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("full_address", sa.Text(), nullable=False),
        sa.Column("normalized", sa.Text(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_addresses_geom", "addresses", ["geom"], unique=False, postgresql_using="gist"
    )
    op.create_index(
        "ix_addresses_trgm",
        "addresses",
        ["normalized"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"normalized": "gin_trgm_ops"},
    )
    op.create_index("uq_addresses_normalized", "addresses", ["normalized"], unique=True)
    op.create_table(
        "houses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("house_code", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("landlord_name", sa.String(length=100), nullable=False),
        sa.Column("landlord_id_number", sa.String(length=32), nullable=True),
        sa.Column("landlord_phone", sa.String(length=32), nullable=True),
        sa.Column("second_landlord_name", sa.String(length=100), nullable=True),
        sa.Column("second_landlord_registered", sa.Boolean(), nullable=True),
        sa.Column("rooms", sa.Integer(), nullable=False),
        sa.Column("beds", sa.Integer(), nullable=False),
        sa.Column("tenants", sa.Integer(), nullable=False),
        sa.Column("registered_tenants", sa.Integer(), nullable=False),
        sa.Column("is_registered", sa.Boolean(), nullable=False),
        sa.Column("pledge_signed", sa.Boolean(), nullable=False),
        sa.Column("cctv_installed", sa.Boolean(), nullable=True),
        sa.Column("cctv_retention_days", sa.Integer(), nullable=True),
        sa.Column("is_self_built", sa.Boolean(), nullable=True),
        sa.Column("last_inspected_on", sa.Date(), nullable=True),
        sa.Column("has_smoke_masks", sa.Boolean(), nullable=True),
        sa.Column("has_torches", sa.Boolean(), nullable=True),
        sa.Column("has_extinguishers", sa.Boolean(), nullable=True),
        sa.Column("electricity_kwh_month", sa.Float(), nullable=True),
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("geocode_method", sa.String(length=20), nullable=True),
        sa.Column("geocode_confidence", sa.Float(), nullable=True),
        sa.Column("needs_review", sa.Boolean(), server_default="false", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "cctv_retention_days IS NULL OR cctv_retention_days >= 0", name="house_retention"
        ),
        sa.CheckConstraint(
            "geocode_confidence IS NULL OR geocode_confidence BETWEEN 0 AND 1",
            name="house_geocode_confidence",
        ),
        sa.CheckConstraint(
            "registered_tenants >= 0 AND registered_tenants <= tenants", name="house_registered"
        ),
        sa.CheckConstraint("rooms >= 0 AND beds >= 0 AND tenants >= 0", name="house_counts"),
        sa.CheckConstraint(
            "second_landlord_registered IS NULL OR second_landlord_name IS NOT NULL",
            name="house_second_landlord",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("house_code"),
    )
    op.create_index("ix_houses_geom", "houses", ["geom"], unique=False, postgresql_using="gist")
    op.create_index("ix_houses_unit", "houses", ["unit_id"], unique=False)
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_code", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("geocode_method", sa.String(length=20), nullable=True),
        sa.Column("geocode_confidence", sa.Float(), nullable=True),
        sa.Column("needs_review", sa.Boolean(), server_default="false", nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_code"),
    )
    op.create_index(
        "ix_incidents_geom", "incidents", ["geom"], unique=False, postgresql_using="gist"
    )
    op.create_index("ix_incidents_occurred", "incidents", ["occurred_at"], unique=False)
    op.create_table(
        "key_areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('urban_village', 'old_estate', 'resettlement_estate', "
            "'rural_self_built', 'campus')",
            name="key_area_kind",
        ),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_key_areas_geom", "key_areas", ["geom"], unique=False, postgresql_using="gist"
    )
    op.create_index("uq_key_areas_kind_name", "key_areas", ["kind", "name"], unique=True)
    op.create_table(
        "hazards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hazard_code", sa.String(length=64), nullable=False),
        sa.Column("house_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("found_on", sa.Date(), nullable=False),
        sa.Column("deadline_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("posted_on_wall", sa.Boolean(), nullable=False),
        sa.Column("entered_in_system", sa.Boolean(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("transferred_on", sa.Date(), nullable=True),
        sa.Column("rectified_on", sa.Date(), nullable=True),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("severity IN ('major', 'general')", name="hazard_severity"),
        sa.CheckConstraint(
            "deadline_on IS NULL OR deadline_on >= found_on", name="hazard_deadline"
        ),
        sa.CheckConstraint("due_on >= found_on", name="hazard_due"),
        sa.CheckConstraint(
            "rectified_on IS NULL OR rectified_on >= found_on", name="hazard_rectified"
        ),
        sa.CheckConstraint(
            "transferred_on IS NULL OR transferred_on >= found_on", name="hazard_transferred"
        ),
        sa.CheckConstraint(
            "verified_on IS NULL OR (rectified_on IS NOT NULL AND verified_on >= rectified_on)",
            name="hazard_verified",
        ),
        sa.ForeignKeyConstraint(
            ["category"],
            ["hazard_categories.code"],
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["units.id"],
        ),
        sa.ForeignKeyConstraint(["house_id"], ["houses.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("hazard_code"),
    )
    op.create_index("ix_hazards_department", "hazards", ["department_id"], unique=False)
    op.create_index("ix_hazards_house", "hazards", ["house_id"], unique=False)
    op.create_index(
        "ix_hazards_open_due",
        "hazards",
        ["due_on"],
        unique=False,
        postgresql_where="rectified_on IS NULL",
    )
    op.create_table(
        "inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("house_id", sa.Integer(), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("inspector", sa.String(length=100), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('self', 'special', 'joint', 'review')", name="inspection_kind"
        ),
        sa.ForeignKeyConstraint(["house_id"], ["houses.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_inspections_house_date", "inspections", ["house_id", "inspected_on"], unique=False
    )
    op.create_table(
        "review_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("house_id", sa.Integer(), nullable=False),
        sa.Column("hazard_id", sa.Integer(), nullable=True),
        sa.Column("plan_ref", sa.String(length=64), nullable=True),
        sa.Column("team", sa.String(length=64), nullable=True),
        sa.Column("visited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("photos", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('rectified', 'still_open', 'new_hazard', 'not_found', 'no_access')",
            name="visit_outcome",
        ),
        sa.ForeignKeyConstraint(["hazard_id"], ["hazards.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["house_id"], ["houses.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    categories = sa.table(
        "hazard_categories",
        *(sa.column(c) for c in ("code", "label_zh", "group_code", "group_zh")),
        *(sa.column(c) for c in ("default_severity", "department_zh", "catastrophic")),
    )
    op.bulk_insert(
        categories,
        [
            {
                "code": c.code,
                "label_zh": c.label_zh,
                "group_code": c.group,
                "group_zh": c.group_zh,
                "default_severity": c.default_severity.value,
                "department_zh": c.department_zh,
                "catastrophic": c.catastrophic,
            }
            for c in HAZARD_CATEGORIES
        ],
    )


def downgrade() -> None:
    op.drop_table("review_visits")
    op.drop_index("ix_inspections_house_date", table_name="inspections")
    op.drop_table("inspections")
    op.drop_index(
        "ix_hazards_open_due", table_name="hazards", postgresql_where="rectified_on IS NULL"
    )
    op.drop_index("ix_hazards_house", table_name="hazards")
    op.drop_index("ix_hazards_department", table_name="hazards")
    op.drop_table("hazards")
    op.drop_index("uq_key_areas_kind_name", table_name="key_areas")
    op.drop_index("ix_key_areas_geom", table_name="key_areas", postgresql_using="gist")
    op.drop_table("key_areas")
    op.drop_index("ix_incidents_occurred", table_name="incidents")
    op.drop_index("ix_incidents_geom", table_name="incidents", postgresql_using="gist")
    op.drop_table("incidents")
    op.drop_index("ix_houses_unit", table_name="houses")
    op.drop_index("ix_houses_geom", table_name="houses", postgresql_using="gist")
    op.drop_table("houses")
    op.drop_index("uq_addresses_normalized", table_name="addresses")
    op.drop_index(
        "ix_addresses_trgm",
        table_name="addresses",
        postgresql_using="gin",
        postgresql_ops={"normalized": "gin_trgm_ops"},
    )
    op.drop_index("ix_addresses_geom", table_name="addresses", postgresql_using="gist")
    op.drop_table("addresses")
    op.drop_index("ix_units_geom", table_name="units", postgresql_using="gist")
    op.drop_table("units")
    op.drop_index("ix_schools_geom", table_name="schools", postgresql_using="gist")
    op.drop_table("schools")
    op.drop_index("ix_roads_geom", table_name="roads", postgresql_using="gist")
    op.drop_table("roads")
    op.drop_table("meta")
    op.drop_table("hazard_categories")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
