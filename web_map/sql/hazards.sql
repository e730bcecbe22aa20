-- Hazards found on or before :as_of, with their status on that day, at their house's point:
-- rectified (on or before :as_of), overdue (not rectified and :as_of past due_on; the deadline
-- day itself is not late), open (not rectified, still inside the deadline).
WITH z AS (
    SELECT z.id, z.hazard_code, z.house_id, z.category, z.severity, z.found_on, z.due_on, h.geom,
           CASE WHEN z.rectified_on IS NOT NULL AND z.rectified_on <= :as_of THEN 'rectified'
                WHEN :as_of > z.due_on THEN 'overdue'
                ELSE 'open' END AS status
    FROM hazards z
    JOIN houses h ON h.id = z.house_id
    WHERE z.found_on <= :as_of AND h.geom IS NOT NULL AND /*house_scope*/ AND /*hazard_scope*/
)
SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
           json_build_object(
               'type', 'Feature', 'id', z.id,
               'geometry', ST_AsGeoJSON(z.geom, 6)::json,
               'properties', json_build_object(
                   'code', z.hazard_code, 'house_id', z.house_id, 'category', z.category,
                   'severity', z.severity, 'status', z.status, 'found_on', z.found_on,
                   'due_on', z.due_on,
                   'days_overdue', CASE WHEN z.status = 'overdue' THEN :as_of - z.due_on
                                        ELSE 0 END))
           ORDER BY z.id), '[]'::json))
FROM z
WHERE CAST(:status AS text[]) IS NULL OR z.status = ANY(:status)
