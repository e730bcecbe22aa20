-- Bins points into the flat-topped hexagons of ST_HexagonGrid(:size, …) / ST_Hexagon(:size, i, j)
-- in the SRID :srid (Web Mercator), by rounding cube coordinates: the same (i, j) as the PostGIS grid
-- without a spatial join, so it stays one pass over the points at city scale.
-- {{points}}: a SELECT with columns x, y (in :srid units) and any others (kept).
-- Cell (i, j) has its centre at x = 1.5·size·i, y = √3·size·(j + ½ when i is odd); in axial
-- coordinates q = i, r = j − floor(i / 2).
SELECT b.*, b.q AS i, (b.r + floor(b.q / 2.0))::int AS j
FROM (
    SELECT a.*,
           (CASE WHEN a.dq > a.dr AND a.dq > a.ds THEN -a.rr - a.sr ELSE a.qr END)::int AS q,
           (CASE WHEN a.dq > a.dr AND a.dq > a.ds THEN a.rr
                 WHEN a.dr > a.ds THEN -a.qr - a.sr
                 ELSE a.rr END)::int AS r
    FROM (
        SELECT f.*, round(f.qf) AS qr, round(f.rf) AS rr, round(-f.qf - f.rf) AS sr,
               abs(round(f.qf) - f.qf) AS dq, abs(round(f.rf) - f.rf) AS dr,
               abs(round(-f.qf - f.rf) + f.qf + f.rf) AS ds
        FROM (
            -- OFFSET 0 keeps the planner from inlining this level: x, y (an ST_Transform) are
            -- then computed once per point, not once per reference in the rounding below.
            SELECT p.*, (2.0 / 3.0) * p.x / :size AS qf,
                   (sqrt(3.0) / 3.0 * p.y - p.x / 3.0) / :size AS rf
            FROM ({{points}}) p
            OFFSET 0
        ) f
    ) a
) b
