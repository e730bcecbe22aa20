-- The standard addresses whose normalised text is one of the given forms (the unique index
-- on addresses.normalized answers it; the geocoder never reads the whole layer).
SELECT a.normalized, a.unit_id, ST_X(a.geom) AS lon, ST_Y(a.geom) AS lat
FROM addresses a
WHERE a.normalized = ANY(%(texts)s::text[]);
