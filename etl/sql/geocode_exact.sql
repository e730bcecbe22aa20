-- The standard addresses whose normalised text is one of the given forms. A join on the
-- unnested forms, not `= ANY(array)`: before the layer has statistics the planner may take
-- `= ANY` as a filter on a sequential scan, comparing every row with every form (36 s for
-- 10,000 forms on 100,000 addresses); the join is hashed or uses uq_addresses_normalized.
SELECT a.normalized, a.unit_id, ST_X(a.geom) AS lon, ST_Y(a.geom) AS lat
FROM (SELECT DISTINCT t FROM unnest(%(texts)s::text[]) AS t) AS w
JOIN addresses a ON a.normalized = w.t;
