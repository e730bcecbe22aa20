-- Public-security incidents (police only) of the 12 months up to :as_of.
SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
           json_build_object(
               'type', 'Feature', 'id', i.id,
               'geometry', ST_AsGeoJSON(i.geom, 6)::json,
               'properties', json_build_object(
                   'code', i.incident_code, 'category', i.category,
                   'occurred_at', to_char(i.occurred_at, 'YYYY-MM-DD HH24:MI'),
                   'address', i.address))
           ORDER BY i.occurred_at), '[]'::json))
FROM incidents i
WHERE i.geom IS NOT NULL
  AND i.occurred_at < CAST(:as_of AS date) + 1
  AND i.occurred_at >= CAST(:as_of AS date) - interval '12 months'
  AND (CAST(:unit_id AS integer[]) IS NULL OR i.unit_id = ANY(:unit_id))
