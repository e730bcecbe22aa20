-- What the routing topology was built from: a fingerprint of every road's geometry, direction,
-- speed and class, and how many roads still lack source/target/cost (new or reset rows).
SELECT
    md5(coalesce(string_agg(
        concat_ws(':', id, md5(ST_AsBinary(geom)), oneway, speed_kmh, road_class),
        ',' ORDER BY id), '')) AS fingerprint,
    count(*) FILTER (WHERE source IS NULL OR target IS NULL OR cost_s IS NULL) AS unbuilt,
    count(*) AS edges,
    count(*) FILTER (WHERE oneway = 1) AS oneway
FROM roads
