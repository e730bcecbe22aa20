-- The offline basemap: one Mapbox Vector Tile with unit areas and roads from the database.
-- Local roads are left out below zoom 12 so city-wide tiles stay small.
WITH b AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS env,
           ST_Transform(ST_TileEnvelope(:z, :x, :y), 4326) AS env4326
), land AS (
    SELECT ST_AsMVTGeom(ST_Transform(u.geom, 3857), b.env, 4096, 64, true) AS geom, u.name
    FROM units u, b
    WHERE u.geom && b.env4326
), road AS (
    SELECT ST_AsMVTGeom(ST_Transform(r.geom, 3857), b.env, 4096, 64, true) AS geom,
           r.road_class AS class, r.name
    FROM roads r, b
    WHERE r.geom && b.env4326 AND (:z >= 12 OR r.road_class <> 'local')
)
SELECT coalesce((SELECT ST_AsMVT(land, 'land') FROM land WHERE geom IS NOT NULL), '')
    || coalesce((SELECT ST_AsMVT(road, 'roads') FROM road WHERE geom IS NOT NULL), '')
