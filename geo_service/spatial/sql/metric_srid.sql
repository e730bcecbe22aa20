-- A metric CRS for hexagon sizes in true metres: the WGS84 UTM zone of the town's centre
-- (units, else houses); Web Mercator when there is no data yet.
SELECT CASE
           WHEN c IS NULL THEN 3857
           ELSE (CASE WHEN ST_Y(c) >= 0 THEN 32600 ELSE 32700 END)
                + least(60, floor((ST_X(c) + 180) / 6)::int + 1)
       END
FROM (
    SELECT ST_Centroid(coalesce(
        (SELECT ST_Extent(geom) FROM units)::geometry,
        ST_EstimatedExtent('public', 'houses', 'geom')::geometry,
        (SELECT ST_Extent(geom) FROM houses)::geometry
    )) AS c
) s
