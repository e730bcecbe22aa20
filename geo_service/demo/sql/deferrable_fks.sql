-- Foreign keys declared on the given tables. A bulk load drops them and adds them back after
-- the rows are in (as pg_restore does): one validating join per key instead of a trigger
-- call and a row lock per loaded row.
SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS definition
FROM pg_constraint
WHERE contype = 'f' AND conrelid = ANY(%(tables)s::regclass[])
ORDER BY 1, 2;
