-- Hazards found on or before :as_of, in their state on that day (hazard_state(): rectified,
-- overdue or open), at their house's point.
SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
           json_build_object(
               'type', 'Feature', 'id', z.id,
               'geometry', ST_AsGeoJSON(h.geom, 6)::json,
               'properties', json_build_object(
                   'code', z.hazard_code, 'house_id', z.house_id, 'category', z.category,
                   'severity', z.severity, 'status', z.status, 'found_on', z.found_on,
                   'due_on', z.due_on, 'days_overdue', z.days_overdue))
           ORDER BY z.id), '[]'::json))
FROM hazard_state(CAST(:as_of AS date)) z
JOIN houses h ON h.id = z.house_id
WHERE h.geom IS NOT NULL AND /*house_scope*/ AND /*hazard_scope*/
  AND (CAST(:status AS text[]) IS NULL OR z.status = ANY(:status))
