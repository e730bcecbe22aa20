-- Standard addresses (标准地址/门牌) by their normalised text, with audit. The unit is the
-- layer's 所属单位 or the village the text names, else the boundary containing the point.
WITH src AS (
    SELECT s.row_no, s.full_address, s.normalized, s.geom,
           coalesce(s.unit_id, (
               SELECT u.id FROM units u
               WHERE u.kind <> 'department' AND ST_Intersects(u.geom, s.geom)
               ORDER BY u.id LIMIT 1
           )) AS unit_id
    FROM stage_addresses s
), old AS (
    -- Geometry as GeoJSON up front: to_jsonb() of a geometry column is 40× slower.
    SELECT t.id, t.full_address, t.normalized, t.unit_id, ST_AsGeoJSON(t.geom)::jsonb AS geom
    FROM addresses t JOIN stage_addresses s ON s.normalized = t.normalized
), up AS (
    INSERT INTO addresses AS t (full_address, normalized, unit_id, geom)
    SELECT full_address, normalized, unit_id, geom FROM src
    ON CONFLICT (normalized) DO UPDATE SET
        full_address = EXCLUDED.full_address,
        unit_id = EXCLUDED.unit_id,
        geom = EXCLUDED.geom
    WHERE (t.full_address, t.unit_id, ST_AsEWKB(t.geom))
        IS DISTINCT FROM (EXCLUDED.full_address, EXCLUDED.unit_id, ST_AsEWKB(EXCLUDED.geom))
    RETURNING t.id, t.full_address, t.normalized, t.unit_id,
              ST_AsGeoJSON(t.geom)::jsonb AS geom, (t.xmax = 0) AS inserted
), audit AS (
    INSERT INTO audit_log (actor, action, table_name, record_key, before, after, detail)
    SELECT %(actor)s,
           CASE WHEN up.inserted THEN 'insert' ELSE 'update' END,
           'addresses',
           up.normalized,
           to_jsonb(old),
           to_jsonb(up) - 'inserted',
           jsonb_build_object('source', %(source)s, 'feature', s.row_no, 'via', 'import')
    FROM up
    JOIN stage_addresses s ON s.normalized = up.normalized
    LEFT JOIN old ON old.id = up.id
    RETURNING action
)
SELECT count(*) FILTER (WHERE action = 'insert'), count(*) FILTER (WHERE action = 'update')
FROM audit;
