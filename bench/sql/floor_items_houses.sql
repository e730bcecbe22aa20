-- The floor for a feature query: 1,000 houses in a bbox as GeoJSON, with the number matched.
WITH env AS (SELECT ST_MakeEnvelope(%(x0)s, %(y0)s, %(x1)s, %(y1)s, 4326) AS e)
SELECT json_build_object(
    'type', 'FeatureCollection',
    'numberMatched', (SELECT count(*) FROM houses h, env
                      WHERE h.geom && env.e AND ST_Intersects(h.geom, env.e)),
    'features', (SELECT coalesce(json_agg(ST_AsGeoJSON(q.*, 'geom', 6)::json ORDER BY q.fid), '[]')
                 FROM (SELECT h.id AS fid, h.house_code, h.unit_id, u.name AS unit_name,
                              h.address, h.rooms, h.beds, h.tenants, h.registered_tenants,
                              h.is_registered, h.pledge_signed, h.cctv_installed,
                              h.cctv_retention_days, h.is_self_built, h.last_inspected_on,
                              h.geocode_method, h.needs_review, h.geom
                       FROM houses h LEFT JOIN units u ON u.id = h.unit_id, env
                       WHERE h.geom && env.e AND ST_Intersects(h.geom, env.e)
                       ORDER BY h.id LIMIT %(limit)s) q)
)::text
