-- Snap points to the road network: the nearest road (KNN on the GiST index, then the true
-- distance on the spheroid among the 8 nearest by degrees), and its end nearer along the line.
SELECT p.key, n.edge_id, n.dist_m,
       CASE WHEN n.frac < 0.5 THEN n.source ELSE n.target END AS vertex_id
FROM unnest(CAST(:keys AS text[]), CAST(:lons AS float8[]), CAST(:lats AS float8[]))
     AS p(key, lon, lat)
CROSS JOIN LATERAL (
    SELECT c.edge_id, c.source, c.target, c.frac, c.dist_m
    FROM (
        SELECT r.id AS edge_id, r.source, r.target,
               ST_LineLocatePoint(r.geom, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)) AS frac,
               ST_Distance(r.geom::geography,
                           ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)::geography) AS dist_m
        FROM roads r
        WHERE r.cost_s IS NOT NULL
        ORDER BY r.geom <-> ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)
        LIMIT 8
    ) c
    ORDER BY c.dist_m
    LIMIT 1
) n
