-- The schools layer is the whole set of schools: upsert by name, delete the missing ones
-- (their campus buffers go with them, ON DELETE CASCADE), then rebuild 校园周边 as a
-- %(buffer_m)s m buffer around every school. Every change is audited.
WITH old AS (
    SELECT t.* FROM schools t
), up AS (
    INSERT INTO schools AS t (name, geom)
    SELECT name, geom FROM stage_schools
    ON CONFLICT (name) DO UPDATE SET geom = EXCLUDED.geom
    WHERE ST_AsEWKB(t.geom) IS DISTINCT FROM ST_AsEWKB(EXCLUDED.geom)
    RETURNING t.*, (t.xmax = 0) AS inserted
), gone AS (
    DELETE FROM schools t
    WHERE NOT EXISTS (SELECT 1 FROM stage_schools s WHERE s.name = t.name)
    RETURNING t.*
), audit AS (
    INSERT INTO audit_log (actor, action, table_name, record_key, before, after, detail)
    SELECT %(actor)s,
           CASE WHEN up.inserted THEN 'insert' ELSE 'update' END,
           'schools',
           up.name,
           to_jsonb(old),
           to_jsonb(up) - 'inserted',
           jsonb_build_object('source', %(source)s, 'feature', s.row_no, 'via', 'import')
    FROM up
    JOIN stage_schools s ON s.name = up.name
    LEFT JOIN old ON old.id = up.id
    UNION ALL
    SELECT %(actor)s, 'delete', 'schools', gone.name, to_jsonb(gone), NULL,
           jsonb_build_object('source', %(source)s, 'via', 'import')
    FROM gone
    RETURNING action
)
SELECT count(*) FILTER (WHERE action = 'insert'), count(*) FILTER (WHERE action = 'update'),
       count(*) FILTER (WHERE action = 'delete')
FROM audit;

-- @next
-- 校园周边 from the schools as they now are (a second statement: it must see the upsert).
WITH want AS (
    SELECT s.id AS school_id, s.name || '校园周边' AS name,
           ST_Multi(ST_Buffer(s.geom::geography, %(buffer_m)s)::geometry) AS geom
    FROM schools s
), old AS (
    SELECT t.* FROM key_areas t WHERE t.kind = 'campus'
), up AS (
    INSERT INTO key_areas AS t (kind, name, school_id, geom)
    SELECT 'campus', name, school_id, geom FROM want
    ON CONFLICT (kind, name) DO UPDATE SET school_id = EXCLUDED.school_id, geom = EXCLUDED.geom
    WHERE (t.school_id, ST_AsEWKB(t.geom))
        IS DISTINCT FROM (EXCLUDED.school_id, ST_AsEWKB(EXCLUDED.geom))
    RETURNING t.*, (t.xmax = 0) AS inserted
)
INSERT INTO audit_log (actor, action, table_name, record_key, before, after, detail)
SELECT %(actor)s,
       CASE WHEN up.inserted THEN 'insert' ELSE 'update' END,
       'key_areas',
       up.kind || ':' || up.name,
       to_jsonb(old),
       to_jsonb(up) - 'inserted',
       jsonb_build_object('source', %(source)s, 'via', 'import', 'rule', 'campus_buffer')
FROM up
LEFT JOIN old ON old.id = up.id;
