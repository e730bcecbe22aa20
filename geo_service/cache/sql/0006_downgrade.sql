-- Every trigger the upgrade made, found in the catalogue (so the table list lives in one place).
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT tgname, tgrelid::regclass AS tbl FROM pg_trigger
             WHERE tgname LIKE 'data_change_mark%' AND tgfoid IN (
                 'data_change_mark()'::regprocedure, 'data_change_mark_rows()'::regprocedure)
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %s', r.tgname, r.tbl);
    END LOOP;
END
$$;
DROP FUNCTION IF EXISTS cache_put(text, bigint, smallint, text, jsonb, bytea, boolean, real, bigint);
DROP FUNCTION IF EXISTS cache_get(text);
DROP TABLE IF EXISTS response_cache;
DROP TABLE IF EXISTS data_change_marks;
DROP FUNCTION IF EXISTS data_version_bump();
DROP FUNCTION IF EXISTS data_change_mark();
DROP FUNCTION IF EXISTS data_change_mark_rows();
DROP TABLE IF EXISTS data_version;
