-- Incident counts per hexagon (i, j), binned by arithmetic; for roles that read incidents.
-- {{points}}: x, y of the filtered incidents in :srid.
SELECT b.i, b.j, count(*) AS n
FROM (
    -- @include hex_bin.sql
) b
GROUP BY b.i, b.j
