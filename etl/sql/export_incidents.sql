SELECT i.incident_code, i.occurred_at, i.category, i.address,
       CASE WHEN i.geocode_method = 'given' THEN ST_X(i.geom) END AS lon,
       CASE WHEN i.geocode_method = 'given' THEN ST_Y(i.geom) END AS lat,
       CASE WHEN i.geocode_method = 'given' THEN 'WGS84' END AS crs,
       i.summary
FROM incidents i
ORDER BY i.incident_code;
