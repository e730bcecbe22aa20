-- A key-area layer of kind %(kind)s is the whole set of that kind: areas are upserted by
-- (kind, name) and the drawn ones the file no longer has are deleted (campus buffers built
-- from schools are left alone). Every change is audited.
WITH old AS (
    SELECT t.* FROM key_areas t
    WHERE t.kind = %(kind)s AND t.school_id IS NULL
), up AS (
    INSERT INTO key_areas AS t (kind, name, geom)
    SELECT %(kind)s, name, geom FROM stage_key_areas
    ON CONFLICT (kind, name) DO UPDATE SET geom = EXCLUDED.geom, school_id = NULL
    WHERE (ST_AsEWKB(t.geom), t.school_id) IS DISTINCT FROM (ST_AsEWKB(EXCLUDED.geom), NULL)
    RETURNING t.*, (t.xmax = 0) AS inserted
), gone AS (
    DELETE FROM key_areas t
    WHERE t.kind = %(kind)s AND t.school_id IS NULL
      AND NOT EXISTS (SELECT 1 FROM stage_key_areas s WHERE s.name = t.name)
    RETURNING t.*
), audit AS (
    INSERT INTO audit_log (actor, action, table_name, record_key, before, after, detail)
    SELECT %(actor)s,
           CASE WHEN up.inserted THEN 'insert' ELSE 'update' END,
           'key_areas',
           up.kind || ':' || up.name,
           to_jsonb(old),
           to_jsonb(up) - 'inserted',
           jsonb_build_object('source', %(source)s, 'feature', s.row_no, 'via', 'import')
    FROM up
    JOIN stage_key_areas s ON s.name = up.name
    LEFT JOIN old ON old.id = up.id
    UNION ALL
    SELECT %(actor)s, 'delete', 'key_areas', gone.kind || ':' || gone.name, to_jsonb(gone), NULL,
           jsonb_build_object('source', %(source)s, 'via', 'import')
    FROM gone
    RETURNING action
)
SELECT count(*) FILTER (WHERE action = 'insert'), count(*) FILTER (WHERE action = 'update'),
       count(*) FILTER (WHERE action = 'delete')
FROM audit;
