-- The standard addresses whose normalised text is one of the given (distinct) forms. A join
-- on the unnested forms, not `= ANY(array)`: before the layer has statistics the planner may
-- take `= ANY` as a filter on a sequential scan, comparing every row with every form (36 s
-- for 10,000 forms on 100,000 addresses); the join is hashed or uses uq_addresses_normalized.
-- No DISTINCT: the caller sends each form once, and the planner then sees how many there are
-- (a DISTINCT is estimated at 200 rows, always probing the index one form at a time).
SELECT a.normalized, a.unit_id, ST_X(a.geom) AS lon, ST_Y(a.geom) AS lat
FROM unnest(%(texts)s::text[]) AS w(t)
JOIN addresses a ON a.normalized = w.t;
