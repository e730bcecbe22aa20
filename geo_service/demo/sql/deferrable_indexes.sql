-- Indexes of the given tables that no constraint depends on (not a primary key, unique
-- constraint or the target of a foreign key): they can be dropped before a bulk load and
-- rebuilt after it from their own definition, which is much faster than growing them row by
-- row (GIN trigram and GiST above all).
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index i
WHERE i.indrelid = ANY(%(tables)s::regclass[])
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
ORDER BY 1;
