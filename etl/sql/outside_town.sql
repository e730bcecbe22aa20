-- Which of the given points (1-based positions) lie outside the town: farther than
-- %(tolerance_m)s metres from every village/community boundary, or, while no boundary is
-- loaded, outside the configured extent %(bbox)s = [lon_min, lat_min, lon_max, lat_max].
WITH pts AS (
    SELECT i, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS geom
    FROM unnest(%(lon)s::float8[], %(lat)s::float8[]) WITH ORDINALITY AS t(lon, lat, i)
), town AS (
    SELECT ST_Buffer(ST_Union(geom)::geography, %(tolerance_m)s)::geometry AS geom
    FROM units
    WHERE kind <> 'department' AND geom IS NOT NULL
), extent AS (
    SELECT coalesce(
        town.geom,
        ST_MakeEnvelope((%(bbox)s::float8[])[1], (%(bbox)s::float8[])[2],
                        (%(bbox)s::float8[])[3], (%(bbox)s::float8[])[4], 4326)
    ) AS geom
    FROM town
)
SELECT pts.i
FROM pts, extent
WHERE NOT ST_Intersects(extent.geom, pts.geom)
ORDER BY pts.i;
