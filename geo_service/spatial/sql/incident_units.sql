-- Incidents per village/community (GeoJSON text): an incident belongs to the unit it was
-- recorded under, else to the lowest-numbered unit whose boundary holds it. {{recorded}} /
-- {{unrecorded}}: the filtered incidents with / without a recorded unit; {{houses}}: the
-- filtered houses; rates per 100 houses to one decimal (NULL for a unit without houses).
--
-- The unrecorded ones are joined unit by unit (a few dozen polygons outer, the incidents'
-- GiST index inner): PostGIS then tests every point against the same polygon in a row and
-- keeps it prepared, instead of one index probe and an unprepared test per incident (2 s at
-- 450,000 incidents). A point on a shared border matches several units: min(u.id) per
-- incident is the lowest-numbered one, as a per-incident `ORDER BY u.id LIMIT 1` would be.
WITH i AS (
    SELECT t.category, t.unit_id FROM {{recorded}}
    UNION ALL
    SELECT x.category, min(u.id)
    FROM (SELECT t.fid, t.category, t.geom FROM {{unrecorded}}) x
    JOIN units u ON u.kind IN ('village', 'community') AND ST_Intersects(u.geom, x.geom)
    GROUP BY x.fid, x.category
),
per_unit AS (
    SELECT unit_id, sum(n)::int AS incidents, json_object_agg(category, n ORDER BY category) AS counts
    FROM (SELECT unit_id, category, count(*) AS n FROM i GROUP BY 1, 2) s
    GROUP BY unit_id
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
               'incidents', coalesce(p.incidents, 0),
               'by_category', coalesce(p.counts, '{}'::json),
               'houses', coalesce(ho.houses, 0),
               'incidents_per_100_houses',
                   round(100.0 * coalesce(p.incidents, 0) / nullif(ho.houses, 0), 1))
       ) ORDER BY u.id), '[]'::json)::text
FROM units u
LEFT JOIN per_unit p ON p.unit_id = u.id
LEFT JOIN ho ON ho.unit_id = u.id
WHERE u.kind IN ('village', 'community') {{unit_filter}}
