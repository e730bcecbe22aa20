-- 警情 sheet → incidents, by 警情编号, with audit. The unit is the village/community whose
-- boundary contains a given point, else the one the address names.
-- Points are compared on a 1e-9° (0.1 mm) grid: Excel keeps 15 significant digits, so
-- coordinates that went through a workbook differ in the last bits without having moved.
WITH src AS (
    SELECT s.*, p.geom,
           CASE WHEN s.geocode_method = 'given' THEN coalesce(inside.id, s.unit_id)
                ELSE coalesce(s.unit_id, inside.id) END AS unit
    FROM stage_incidents s
    CROSS JOIN LATERAL (
        SELECT CASE WHEN s.lon IS NULL THEN NULL
                    ELSE ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326) END AS geom
    ) p
    LEFT JOIN LATERAL (
        SELECT u.id FROM units u
        WHERE u.kind <> 'department' AND ST_Intersects(u.geom, p.geom)
        ORDER BY u.id LIMIT 1
    ) inside ON true
), old AS (
    -- Geometry as GeoJSON up front: to_jsonb() of a geometry column is 40× slower.
    SELECT t.id, t.incident_code, t.occurred_at, t.category, t.address, t.summary, t.unit_id,
           t.geocode_method, t.geocode_confidence, t.needs_review,
           ST_AsGeoJSON(t.geom)::jsonb AS geom
    FROM incidents t JOIN stage_incidents s ON s.incident_code = t.incident_code
), up AS (
    INSERT INTO incidents AS t (
        incident_code, occurred_at, category, address, summary, unit_id, geom,
        geocode_method, geocode_confidence, needs_review
    )
    SELECT incident_code, occurred_at, category, address, summary, unit, geom,
           geocode_method, geocode_confidence, needs_review
    FROM src
    ON CONFLICT (incident_code) DO UPDATE SET
        occurred_at = EXCLUDED.occurred_at,
        category = EXCLUDED.category,
        address = EXCLUDED.address,
        summary = EXCLUDED.summary,
        unit_id = EXCLUDED.unit_id,
        geom = EXCLUDED.geom,
        geocode_method = EXCLUDED.geocode_method,
        geocode_confidence = EXCLUDED.geocode_confidence,
        needs_review = EXCLUDED.needs_review
    WHERE (t.occurred_at, t.category, t.address, t.summary, t.unit_id, ST_AsEWKB(ST_SnapToGrid(t.geom, 1e-9)),
           t.geocode_method, t.geocode_confidence, t.needs_review)
        IS DISTINCT FROM
          (EXCLUDED.occurred_at, EXCLUDED.category, EXCLUDED.address, EXCLUDED.summary,
           EXCLUDED.unit_id, ST_AsEWKB(ST_SnapToGrid(EXCLUDED.geom, 1e-9)), EXCLUDED.geocode_method,
           EXCLUDED.geocode_confidence, EXCLUDED.needs_review)
    RETURNING t.id, t.incident_code, t.occurred_at, t.category, t.address, t.summary, t.unit_id,
              t.geocode_method, t.geocode_confidence, t.needs_review,
              ST_AsGeoJSON(t.geom)::jsonb AS geom, (t.xmax = 0) AS inserted
), audit AS (
    INSERT INTO audit_log (actor, action, table_name, record_key, before, after, detail)
    SELECT %(actor)s,
           CASE WHEN up.inserted THEN 'insert' ELSE 'update' END,
           'incidents',
           up.incident_code,
           to_jsonb(old),
           to_jsonb(up) - 'inserted',
           jsonb_build_object('source', %(source)s, 'row', s.row_no, 'via', 'import')
    FROM up
    JOIN stage_incidents s ON s.incident_code = up.incident_code
    LEFT JOIN old ON old.id = up.id
    RETURNING action
)
SELECT count(*) FILTER (WHERE action = 'insert'), count(*) FILTER (WHERE action = 'update')
FROM audit;
