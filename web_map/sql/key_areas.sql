-- Key areas (重点区域), optionally of some kinds and touching some units.
SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
           json_build_object(
               'type', 'Feature', 'id', k.id,
               'geometry', ST_AsGeoJSON(k.geom, 6)::json,
               'properties', json_build_object('kind', k.kind, 'name', k.name))
           ORDER BY k.kind, k.name), '[]'::json))
FROM key_areas k
WHERE (CAST(:key_area_kind AS text[]) IS NULL OR k.kind = ANY(:key_area_kind))
  AND (CAST(:unit_id AS integer[]) IS NULL
       OR EXISTS (SELECT 1 FROM units u
                  WHERE u.id = ANY(:unit_id) AND ST_Intersects(u.geom, k.geom)))
