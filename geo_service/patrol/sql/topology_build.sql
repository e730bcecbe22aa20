-- Routable topology from the roads layer (pgRouting >= 3.4, pgr_extractVertices): a vertex at
-- every line end (ends closer than :tolerance degrees are one vertex), source/target on every
-- road, and travel seconds each way = metres on the spheroid / speed. A one-way road can only
-- be driven along its digitised direction: reverse_cost -1 is pgRouting's "no edge this way".
-- The lines must be noded (split where they cross); the demo town's and imported networks are.
WITH vertices AS (
    SELECT id, in_edges, out_edges
    FROM pgr_extractVertices(format(
        'SELECT id, ST_MakeLine(ST_SnapToGrid(ST_StartPoint(geom), %1$s), '
        'ST_SnapToGrid(ST_EndPoint(geom), %1$s)) AS geom FROM roads',
        CAST(:tolerance AS float8)))
),
starts AS (SELECT unnest(out_edges) AS edge, id FROM vertices),
ends AS (SELECT unnest(in_edges) AS edge, id FROM vertices),
costs AS (
    SELECT r.id,
           ST_Length(r.geom::geography) AS length_m,
           coalesce(r.speed_kmh,
                    (CAST(:speeds AS jsonb) ->> r.road_class)::float8,
                    CAST(:default_speed AS float8)) / 3.6 AS speed_ms
    FROM roads r
)
UPDATE roads r
SET source = s.id,
    target = e.id,
    length_m = c.length_m,
    cost_s = c.length_m / c.speed_ms,
    reverse_cost_s = CASE WHEN r.oneway = 1 THEN -1 ELSE c.length_m / c.speed_ms END
FROM starts s, ends e, costs c
WHERE s.edge = r.id AND e.edge = r.id AND c.id = r.id
