-- Undo 0010: the policies and grants of the import roles (the tables go with the migration),
-- and the roles themselves unless another database of the cluster still uses them.
DROP POLICY IF EXISTS units_import_village ON units;
DROP POLICY IF EXISTS units_import_village_insert ON units;
DROP POLICY IF EXISTS units_import_village_read ON units;
DROP POLICY IF EXISTS hazards_import_department ON hazards;
DROP POLICY IF EXISTS incidents_import_police ON incidents;
DROP POLICY IF EXISTS units_import_police ON units;
DROP POLICY IF EXISTS audit_log_import_write ON audit_log;
DROP POLICY IF EXISTS audit_log_import_returning ON audit_log;
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['geo_import_village', 'geo_import_department', 'geo_import_police']
    LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %I', r);
            BEGIN
                EXECUTE format('DROP ROLE %I', r);
            EXCEPTION WHEN dependent_objects_still_exist OR insufficient_privilege THEN
                NULL;  -- still granted in another database of this cluster
            END;
        END IF;
    END LOOP;
END
$$;
