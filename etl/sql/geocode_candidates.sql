-- Fuzzy candidates: the standard addresses carrying exactly the given numbers (the digit runs
-- of the normalised text, joined by one space), of the given unit or, where the unit is NULL,
-- of the whole town. The key expression is the one of index ix_addresses_numbers
-- (migration 0007): keep them identical or the index is not used.
SELECT w.i, a.normalized, a.unit_id, ST_X(a.geom) AS lon, ST_Y(a.geom) AS lat
FROM unnest(%(numbers)s::text[], %(units)s::int[]) WITH ORDINALITY AS w(numbers, unit_id, i)
JOIN addresses a
  ON btrim(regexp_replace(a.normalized, '[^0-9]+', ' ', 'g')) = w.numbers
 AND (w.unit_id IS NULL OR a.unit_id = w.unit_id)
ORDER BY w.i, a.id;
