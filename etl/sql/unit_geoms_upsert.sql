-- Unit boundaries → units.geom by 单位名称 (a new X村 / X社区 unit is created), with audit.
WITH old AS (
    SELECT t.* FROM units t JOIN stage_unit_geoms s ON s.name = t.name
), up AS (
    INSERT INTO units AS t (name, kind, geom)
    SELECT name, kind, ST_Multi(geom) FROM stage_unit_geoms
    ON CONFLICT (name) DO UPDATE SET geom = EXCLUDED.geom, updated_at = now()
    WHERE ST_AsEWKB(t.geom) IS DISTINCT FROM ST_AsEWKB(EXCLUDED.geom)
    RETURNING t.*, (t.xmax = 0) AS inserted
), audit AS (
    INSERT INTO audit_log (actor, action, table_name, record_key, before, after, detail)
    SELECT %(actor)s,
           CASE WHEN up.inserted THEN 'insert' ELSE 'update' END,
           'units',
           up.name,
           to_jsonb(old),
           to_jsonb(up) - 'inserted',
           jsonb_build_object('source', %(source)s, 'feature', s.row_no, 'via', 'import')
    FROM up
    JOIN stage_unit_geoms s ON s.name = up.name
    LEFT JOIN old ON old.id = up.id
    RETURNING action
)
SELECT count(*) FILTER (WHERE action = 'insert'), count(*) FILTER (WHERE action = 'update')
FROM audit;
