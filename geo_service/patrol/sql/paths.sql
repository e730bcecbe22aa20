-- Road-following geometry of every team's route, in one query: each leg (from vertex → to
-- vertex, in visiting order) is a pgr_dijkstra path; its edges are turned to the direction of
-- travel and joined with ST_MakeLine in order. The pairs reach pgr_dijkstra as a VALUES list
-- of integers built here from the bound arrays (never from text).
WITH legs AS (
    SELECT *
    FROM unnest(CAST(:teams AS int[]), CAST(:seqs AS int[]),
                CAST(:froms AS bigint[]), CAST(:tos AS bigint[])) AS l(team, seq, from_v, to_v)
    WHERE from_v <> to_v
),
pairs AS (
    SELECT 'SELECT * FROM (VALUES '
           || string_agg(DISTINCT format('(%s::bigint, %s::bigint)', from_v, to_v), ', ')
           || ') AS c(source, target)' AS combinations
    FROM legs
),
paths AS (
    SELECT p.start_vid, p.end_vid, p.path_seq, p.node, p.edge
    FROM pairs,
         pgr_dijkstra(
             'SELECT id, source, target, cost_s AS cost, reverse_cost_s AS reverse_cost
              FROM roads WHERE cost_s IS NOT NULL',
             pairs.combinations,
             directed => true) p
    WHERE p.edge <> -1
),
segments AS (
    SELECT l.team, l.seq, pa.path_seq, r.length_m,
           CASE WHEN pa.node = r.source THEN r.geom ELSE ST_Reverse(r.geom) END AS geom
    FROM legs l
    JOIN paths pa ON pa.start_vid = l.from_v AND pa.end_vid = l.to_v
    JOIN roads r ON r.id = pa.edge
)
SELECT team,
       ST_AsGeoJSON(ST_RemoveRepeatedPoints(ST_MakeLine(geom ORDER BY seq, path_seq)), 7)
           AS geojson,
       sum(length_m) AS distance_m
FROM segments
GROUP BY team
