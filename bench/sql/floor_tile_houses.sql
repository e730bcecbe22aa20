-- The floor for a houses tile: the bare ST_AsMVT statement, same columns as the service's tile.
SELECT ST_AsMVT(q, 'houses', 4096, 'geom', 'fid') FROM (
    SELECT h.id AS fid, h.house_code, h.unit_id, h.rooms, h.beds, h.tenants,
           h.registered_tenants, h.is_registered, h.pledge_signed, h.cctv_installed,
           h.cctv_retention_days, h.is_self_built, h.last_inspected_on::text AS last_inspected_on,
           h.geocode_method, h.needs_review,
           ST_AsMVTGeom(ST_Transform(h.geom, 3857), ST_TileEnvelope(%(z)s, %(x)s, %(y)s),
                        4096, 64, true) AS geom
    FROM houses h
    WHERE h.geom && ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s), 4326)
    LIMIT %(limit)s
) q
