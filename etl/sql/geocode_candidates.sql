-- Fuzzy candidates: the standard addresses carrying exactly the given numbers (the digit runs
-- of the normalised text, joined by one space), of the given unit or, where the unit is NULL,
-- of the whole town. The key expression is the one of index ix_addresses_numbers
-- (migration 0007): keep them identical or the index is not used.
-- One index probe per key (LATERAL): a plain join on the expression was planned as a hash of
-- the whole layer, computing the expression for every standard address (2.7 s for 1,400 keys
-- on 104,000 addresses). A key with its unit probes (numbers, unit_id); one without, numbers.
SELECT w.i, c.normalized, c.unit_id, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat
FROM unnest(%(numbers)s::text[], %(units)s::int[]) WITH ORDINALITY AS w(numbers, unit_id, i)
CROSS JOIN LATERAL (
    SELECT a.id, a.normalized, a.unit_id, a.geom FROM addresses a
    WHERE btrim(regexp_replace(a.normalized, '[^0-9]+', ' ', 'g')) = w.numbers
      AND a.unit_id = w.unit_id
    UNION ALL
    SELECT a.id, a.normalized, a.unit_id, a.geom FROM addresses a
    WHERE btrim(regexp_replace(a.normalized, '[^0-9]+', ' ', 'g')) = w.numbers
      AND w.unit_id IS NULL
) c
ORDER BY w.i, c.id;
