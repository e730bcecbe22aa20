-- Choropleth per village/community (GeoJSON text): hazards found by :as_of under the hazard
-- filters ({{hazards}}), by state and severity; houses under the house filters ({{houses}});
-- rates per 100 houses to one decimal (NULL when the unit has no house). A hazard belongs to
-- its house's unit; houses without a point still count.
WITH hz AS (
    SELECT t.unit_id, count(*) AS hazards,
           count(*) FILTER (WHERE t.status = 'open') AS open,
           count(*) FILTER (WHERE t.status = 'overdue') AS overdue,
           count(*) FILTER (WHERE t.status = 'rectified') AS rectified,
           count(*) FILTER (WHERE t.severity = 'major') AS major
    FROM {{hazards}}
    GROUP BY t.unit_id
),
ho AS (
    SELECT t.unit_id, count(*) AS houses FROM {{houses}} GROUP BY t.unit_id
)
SELECT coalesce(json_agg(json_build_object(
           'type', 'Feature',
           'id', u.id,
           'geometry', ST_AsGeoJSON(u.geom, 6)::json,
           'properties', json_build_object(
               'unit_id', u.id, 'name', u.name, 'kind', u.kind,
               'houses', coalesce(ho.houses, 0),
               'hazards', coalesce(hz.hazards, 0),
               'open', coalesce(hz.open, 0),
               'overdue', coalesce(hz.overdue, 0),
               'rectified', coalesce(hz.rectified, 0),
               'major', coalesce(hz.major, 0),
               'hazards_per_100_houses',
                   round(100.0 * coalesce(hz.hazards, 0) / nullif(ho.houses, 0), 1),
               'unrectified_per_100_houses',
                   round(100.0 * (coalesce(hz.open, 0) + coalesce(hz.overdue, 0))
                         / nullif(ho.houses, 0), 1),
               'overdue_per_100_houses',
                   round(100.0 * coalesce(hz.overdue, 0) / nullif(ho.houses, 0), 1))
       ) ORDER BY u.id), '[]'::json)::text
FROM units u
LEFT JOIN hz ON hz.unit_id = u.id
LEFT JOIN ho ON ho.unit_id = u.id
WHERE u.kind IN ('village', 'community') {{unit_filter}}
