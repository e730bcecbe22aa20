-- Latitude of the town's centre (units, else houses; 0 without data): Web Mercator metres
-- are ground metres × 1 / cos(latitude), so sizes in metres are scaled by it.
SELECT coalesce(ST_Y(ST_Centroid(coalesce(
    (SELECT ST_Extent(geom) FROM units)::geometry,
    ST_EstimatedExtent('public', 'houses', 'geom')::geometry,
    (SELECT ST_Extent(geom) FROM houses)::geometry
))), 0)
