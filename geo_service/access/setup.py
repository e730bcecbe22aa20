"""Cluster-wide setup the database's access rules rely on, outside the migrations."""

import psycopg2

from geo_service.sqlfiles import script

# The role scripts, in order: the API's roles (0003), then the upload roles built on them (0011).
ROLE_SCRIPTS = (("geo_service.access", "0003_roles.sql"), ("geo_service.uploads", "0011_roles.sql"))


def ensure_api_roles(url: str) -> None:
    """Create the API's NOLOGIN roles (geo_api, geo_api_<role>, and the upload roles
    geo_import_<role>) when missing and make the connecting user a member: what a restored
    dump's grants and policies name. Idempotent."""
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            for package, name in ROLE_SCRIPTS:
                cur.execute(script(package, f"sql/{name}"))
    finally:
        conn.close()
