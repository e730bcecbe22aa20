-- Who is asking, as the policies and SECURITY DEFINER functions see it.
--
-- The application role comes from the database role the request runs as (SET LOCAL ROLE
-- geo_api_<role>), which PostgreSQL itself tracks; the unit, department and user name come
-- from transaction-local settings (set_config(..., true)) made by the API for each request.
-- Inside a SECURITY DEFINER function current_user is the owner, but the `role` setting still
-- names the role the caller runs as.

CREATE FUNCTION app_role() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE r
        WHEN 'geo_api_admin' THEN 'admin'
        WHEN 'geo_api_leader' THEN 'leader'
        WHEN 'geo_api_supervisor' THEN 'supervisor'
        WHEN 'geo_api_police' THEN 'police'
        WHEN 'geo_api_department' THEN 'department'
        WHEN 'geo_api_village' THEN 'village'
    END
    FROM (SELECT CASE WHEN current_setting('role') <> 'none' THEN current_setting('role')
                      ELSE current_user::text END AS r) s
$$;

CREATE FUNCTION app_unit_id() RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT nullif(current_setting('app.unit_id', true), '')::integer
$$;

CREATE FUNCTION app_department_id() RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT nullif(current_setting('app.department_id', true), '')::integer
$$;

-- Who to write in the audit log: the API user, else the database session (CLI, ETL).
CREATE FUNCTION app_actor() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('app.username', true), ''), 'db:' || session_user)
$$;

CREATE FUNCTION app_request() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('app.request', true), '')
$$;

-- Masks of personal data: 320483********1234, 138****5678, 张**.
CREATE FUNCTION mask_id_number(v text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN length(v) > 10 THEN left(v, 6) || repeat('*', length(v) - 10) || right(v, 4)
                ELSE repeat('*', length(v)) END
$$;

CREATE FUNCTION mask_phone(v text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN length(v) > 7 THEN left(v, 3) || repeat('*', length(v) - 7) || right(v, 4)
                ELSE repeat('*', length(v)) END
$$;

CREATE FUNCTION mask_name(v text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN length(v) <= 1 THEN '*' ELSE left(v, 1) || repeat('*', length(v) - 1) END
$$;

-- Audit rows keep who changed what, not a second copy of personal data: personal fields are
-- masked and bulky solver payloads are replaced by their size.
CREATE FUNCTION audit_redact(j jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN j IS NULL THEN NULL ELSE j || jsonb_strip_nulls(jsonb_build_object(
        'landlord_name', mask_name(j ->> 'landlord_name'),
        'landlord_id_number', mask_id_number(j ->> 'landlord_id_number'),
        'landlord_phone', mask_phone(j ->> 'landlord_phone'),
        'second_landlord_name', mask_name(j ->> 'second_landlord_name'),
        'instance', CASE WHEN j ? 'instance'
                         THEN jsonb_build_object('bytes', length((j -> 'instance')::text)) END,
        'result', CASE WHEN j ? 'result'
                       THEN jsonb_build_object('bytes', length((j -> 'result')::text)) END
    )) END
$$;

-- Row trigger: one audit row per changed row written by an API request (app.username set).
-- SECURITY DEFINER so the API roles need (and have) no privilege on audit_log themselves.
CREATE FUNCTION audit_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    r jsonb := coalesce(new_row, old_row);
BEGIN
    IF TG_OP = 'UPDATE' AND old_row = new_row THEN
        RETURN NULL;
    END IF;
    INSERT INTO audit_log (actor, action, table_name, record_key, before, after, detail)
    VALUES (app_actor(), lower(TG_OP), TG_TABLE_NAME,
            coalesce(r ->> 'house_code', r ->> 'hazard_code', r ->> 'incident_code',
                     r ->> 'ref', r ->> 'id'),
            audit_redact(old_row), audit_redact(new_row),
            jsonb_strip_nulls(jsonb_build_object('role', app_role(), 'request', app_request())));
    RETURN NULL;
END
$$;

-- Landlords' personal data, masked or not by the caller's role, for the given houses.
-- The only way an API role reads these columns: the raw columns are not granted to any API
-- role, and every unmasked read leaves one audit row naming the houses.
-- Which houses are visible repeats the SELECT policies on `houses` (a test checks both agree).
CREATE FUNCTION house_contacts(house_ids integer[])
RETURNS TABLE (house_id integer, landlord_name text, landlord_id_number text,
               landlord_phone text, second_landlord_name text, unmasked boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    who text := app_role();
    my_unit integer := app_unit_id();
    my_dept integer := app_department_id();
BEGIN
    IF who IS NULL THEN
        RAISE EXCEPTION 'house_contacts needs an API role' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN QUERY
    WITH v AS (
        SELECT h.id, h.house_code, h.landlord_name AS ln, h.landlord_id_number AS lid,
               h.landlord_phone AS lp, h.second_landlord_name AS sln,
               (who = 'police' OR (who = 'village' AND h.unit_id = my_unit)) AS u
        FROM houses h
        WHERE h.id = ANY (house_ids)
          AND (who IN ('admin', 'leader', 'supervisor', 'police')
               OR (who = 'village' AND h.unit_id = my_unit)
               OR (who = 'department' AND EXISTS (
                       SELECT 1 FROM hazards z
                       WHERE z.house_id = h.id AND z.department_id = my_dept)))
    ), logged AS (
        INSERT INTO audit_log (actor, action, table_name, record_key, detail)
        SELECT app_actor(), 'read_personal', 'houses',
               CASE WHEN count(*) = 1 THEN min(v.house_code) END,
               jsonb_strip_nulls(jsonb_build_object(
                   'role', who, 'request', app_request(), 'count', count(*),
                   'ids', jsonb_agg(v.id ORDER BY v.id),
                   'house_codes', jsonb_agg(v.house_code ORDER BY v.id)))
        FROM v WHERE v.u
        HAVING count(*) > 0
        RETURNING 1
    )
    SELECT v.id, CASE WHEN v.u THEN v.ln ELSE mask_name(v.ln) END::text,
           CASE WHEN v.u THEN v.lid ELSE mask_id_number(v.lid) END::text,
           CASE WHEN v.u THEN v.lp ELSE mask_phone(v.lp) END::text,
           CASE WHEN v.u THEN v.sln ELSE mask_name(v.sln) END::text,
           v.u
    FROM v ORDER BY v.id;
END
$$;

-- Called by the API at the end of each request of a role that may read incidents: when the
-- transaction read the incidents table (PostgreSQL's own per-transaction counters), one audit
-- row records who, the request and, when the route named them, which incidents.
CREATE FUNCTION audit_incident_reads(ids jsonb DEFAULT NULL) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    scans bigint;
    tuples bigint;
BEGIN
    SELECT coalesce(s.seq_scan, 0) + coalesce(s.idx_scan, 0),
           coalesce(s.seq_tup_read, 0) + coalesce(s.idx_tup_fetch, 0)
    INTO scans, tuples
    FROM pg_stat_xact_user_tables s WHERE s.relid = 'incidents'::regclass;
    IF coalesce(scans, 0) = 0 AND ids IS NULL THEN
        RETURN false;
    END IF;
    INSERT INTO audit_log (actor, action, table_name, detail)
    VALUES (app_actor(), 'read', 'incidents', jsonb_strip_nulls(jsonb_build_object(
        'role', app_role(), 'request', app_request(), 'scans', scans, 'rows_scanned', tuples,
        'ids', ids)));
    RETURN true;
END
$$;
