DROP FUNCTION IF EXISTS incident_hex_counts(double precision, integer, date, date, date, text[]);
CREATE OR REPLACE FUNCTION house_contacts(house_ids integer[])
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

DROP POLICY IF EXISTS inspections_read_department ON inspections;
REVOKE SELECT ON inspections FROM geo_api_department;
DROP FUNCTION IF EXISTS incident_counts_near(integer[], double precision, double precision, date,
                                            date, bigint);
DROP POLICY IF EXISTS meta_write_topology ON meta;
DROP POLICY IF EXISTS meta_read ON meta;
ALTER TABLE meta DISABLE ROW LEVEL SECURITY;
REVOKE INSERT, UPDATE ON meta FROM geo_api_supervisor, geo_api_police;
REVOKE UPDATE (source, target, length_m, cost_s, reverse_cost_s) ON roads
    FROM geo_api_supervisor, geo_api_police;
DROP POLICY IF EXISTS houses_update_supervisor ON houses;
REVOKE UPDATE (last_inspected_on, updated_at) ON houses FROM geo_api_supervisor;
DROP POLICY IF EXISTS units_read_village ON units;
DROP POLICY IF EXISTS units_read_all ON units;
ALTER TABLE units DISABLE ROW LEVEL SECURITY;
ALTER TABLE houses DROP COLUMN IF EXISTS has_second_landlord;
