"""Cluster-wide setup the database's access rules rely on, outside the migrations."""

import psycopg2

from geo_service.sqlfiles import script


def ensure_api_roles(url: str) -> None:
    """Create the API's NOLOGIN roles (geo_api, geo_api_<role>) when missing and make the
    connecting user a member: what a restored dump's grants and policies name. Idempotent."""
    sql = script("geo_service.access", "sql/0003_roles.sql")
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()
