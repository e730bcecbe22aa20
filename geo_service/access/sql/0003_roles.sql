-- The API's database roles (cluster-wide, so created only when missing).
-- geo_api: NOLOGIN group holding what every API role shares.
-- geo_api_<role>: one NOLOGIN role per application role; each request runs
-- `SET LOCAL ROLE geo_api_<role>`, so the connecting (owner) user is made a member.
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['geo_api', 'geo_api_admin', 'geo_api_leader', 'geo_api_supervisor',
                             'geo_api_police', 'geo_api_department', 'geo_api_village']
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', r);
            EXCEPTION WHEN duplicate_object THEN
                NULL;  -- created meanwhile by a migration of another database
            END;
        END IF;
        IF r <> 'geo_api' THEN
            EXECUTE format('GRANT geo_api TO %I', r);
        END IF;
        EXECUTE format('GRANT %I TO %I', r, current_user);
    END LOOP;
END
$$;
