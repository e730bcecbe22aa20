-- Unit boundaries (villages and communities) with a label point inside each polygon.
SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
           json_build_object(
               'type', 'Feature', 'id', u.id,
               'geometry', ST_AsGeoJSON(u.geom, 6)::json,
               'properties', json_build_object(
                   'name', u.name, 'kind', u.kind,
                   'label', json_build_array(round(ST_X(ST_PointOnSurface(u.geom))::numeric, 6),
                                             round(ST_Y(ST_PointOnSurface(u.geom))::numeric, 6))))
           ORDER BY u.name), '[]'::json))
FROM units u
WHERE u.geom IS NOT NULL
