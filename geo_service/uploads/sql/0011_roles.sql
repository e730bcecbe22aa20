-- The database roles a web upload (上报数据) writes under, one per application role that
-- uploads without being the owner: geo_import_village, geo_import_department,
-- geo_import_police (docs/upload.md). Cluster-wide, so created only when missing; also run by
-- `geo-service restore` (access.setup.ensure_api_roles), after 0003_roles.sql.
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['geo_import_village', 'geo_import_department', 'geo_import_police']
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', r);
            EXCEPTION WHEN duplicate_object THEN
                NULL;  -- created meanwhile by a migration of another database
            END;
        END IF;
        EXECUTE format('GRANT %I TO %I', r, current_user);
    END LOOP;
END
$$;

-- A village's or a department's upload may do what its API role may do (every privilege and
-- every row-level policy of geo_api_village / geo_api_department applies, with the user's unit
-- in the same settings), plus the little the import itself needs (0011_uploads.sql).
GRANT geo_api_village TO geo_import_village;
GRANT geo_api_department TO geo_import_department;
-- The police upload 警情 only: not a member of geo_api_police, whose rights on houses,
-- hazards and inspections an upload has no use for; reference layers through geo_api.
GRANT geo_api TO geo_import_police;
