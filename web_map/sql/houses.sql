-- Rental houses for the map: a compact FeatureCollection (details come with the popup: only
-- what the marker's colour needs), with the counts of their hazards (under the hazard filters)
-- open and overdue on :as_of.
WITH hz AS (
    SELECT z.house_id,
           count(*) FILTER (WHERE z.rectified_on IS NULL OR z.rectified_on > :as_of) AS open,
           count(*) FILTER (WHERE (z.rectified_on IS NULL OR z.rectified_on > :as_of)
                              AND :as_of > z.due_on) AS overdue
    FROM hazards z
    WHERE z.found_on <= :as_of AND /*hazard_scope*/
    GROUP BY z.house_id
)
SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
           json_build_object(
               'type', 'Feature', 'id', h.id,
               'geometry', ST_AsGeoJSON(h.geom, 6)::json,
               'properties', json_build_object(
                   'open', coalesce(hz.open, 0), 'overdue', coalesce(hz.overdue, 0)))
           ORDER BY h.id), '[]'::json))
FROM houses h
LEFT JOIN hz ON hz.house_id = h.id
WHERE h.geom IS NOT NULL AND /*house_scope*/
