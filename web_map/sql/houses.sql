-- Rental houses for the map: a compact FeatureCollection (details come with the popup: only
-- what the marker's colour needs), with the counts of their hazards (under the hazard filters)
-- unrectified and overdue on :as_of, in hazard_state()'s terms.
WITH hz AS (
    SELECT z.house_id,
           count(*) FILTER (WHERE NOT z.rectified) AS open,
           count(*) FILTER (WHERE z.overdue) AS overdue
    FROM hazard_state(CAST(:as_of AS date)) z
    WHERE /*hazard_scope*/
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
