-- Access rules for what the analytics, routes and map need, found by sweeping the endpoints.

-- Whether a house has a second landlord, without reading the name (personal data): the
-- 附件2 second-landlord registration rate counts these houses.
ALTER TABLE houses ADD COLUMN has_second_landlord boolean
    GENERATED ALWAYS AS (nullif(btrim(second_landlord_name), '') IS NOT NULL) STORED;
GRANT SELECT (has_second_landlord) ON houses TO geo_api;

-- Units: a village sees its own unit (and the departments hazards are transferred to), so its
-- rankings and tables hold its own figures, not other villages shown as empty.
ALTER TABLE units ENABLE ROW LEVEL SECURITY;
CREATE POLICY units_read_all ON units FOR SELECT
    TO geo_api_admin, geo_api_leader, geo_api_supervisor, geo_api_police, geo_api_department
    USING (true);
CREATE POLICY units_read_village ON units FOR SELECT TO geo_api_village
    USING (id = app_unit_id() OR kind = 'department');

-- The review phase: a visit marks its house inspected; planning (re)builds the routable
-- topology, derived columns of `roads` and its fingerprint in `meta`.
GRANT UPDATE (last_inspected_on, updated_at) ON houses TO geo_api_supervisor;
CREATE POLICY houses_update_supervisor ON houses FOR UPDATE TO geo_api_supervisor
    USING (true) WITH CHECK (true);
GRANT UPDATE (source, target, length_m, cost_s, reverse_cost_s) ON roads
    TO geo_api_supervisor, geo_api_police;
ALTER TABLE meta ENABLE ROW LEVEL SECURITY;
CREATE POLICY meta_read ON meta FOR SELECT TO geo_api USING (true);
GRANT INSERT, UPDATE ON meta TO geo_api_supervisor, geo_api_police;
CREATE POLICY meta_write_topology ON meta FOR ALL TO geo_api_supervisor, geo_api_police
    USING (key = 'road_topology') WITH CHECK (key = 'road_topology');

-- Incidents near houses, as counts: the risk ranking's incident factor for the roles that see
-- town-wide figures but not incident records (supervisor, leader, admin). Village staff and
-- departments get no rows: incidents are not theirs to know, even counted. Counting stops at
-- `cap` (NULL: no cap); the geometry box uses the GiST index, the spheroid test is exact.
CREATE FUNCTION incident_counts_near(house_ids integer[], radius_m double precision,
                                     radius_deg double precision, since date, until date,
                                     cap bigint)
RETURNS TABLE (house_id integer, incidents bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT h.id, c.n
    FROM houses h
    CROSS JOIN LATERAL (
        SELECT count(*) AS n FROM (
            SELECT 1 FROM incidents i
            WHERE ST_DWithin(i.geom, h.geom, radius_deg)
              AND ST_DWithin(CAST(i.geom AS geography), CAST(h.geom AS geography), radius_m)
              AND i.occurred_at >= since AND i.occurred_at < until + 1
            LIMIT cap) x
    ) c
    WHERE h.id = ANY (house_ids) AND c.n > 0
      -- 'none': no SET ROLE, i.e. the owner (CLI, bulletin job), not an API request
      AND (app_role() IN ('admin', 'leader', 'supervisor', 'police')
           OR current_setting('role') = 'none')
$$;
REVOKE ALL ON FUNCTION incident_counts_near(integer[], double precision, double precision, date,
                                            date, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION incident_counts_near(integer[], double precision, double precision,
                                               date, date, bigint) TO geo_api;

-- Departments see the inspections of the houses whose hazards were transferred to them.
GRANT SELECT ON inspections TO geo_api_department;
CREATE POLICY inspections_read_department ON inspections FOR SELECT TO geo_api_department
    USING (house_id = ANY (ARRAY(SELECT house_id FROM hazards
                                 WHERE department_id = app_department_id())));

-- The CLI (the owner) reads contacts through the same function, so its reads are audited
-- too (`geo-service routes export --with-contacts`).
CREATE OR REPLACE FUNCTION house_contacts(house_ids integer[])
RETURNS TABLE (house_id integer, landlord_name text, landlord_id_number text,
               landlord_phone text, second_landlord_name text, unmasked boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    -- No SET ROLE at all: the owner's own session (CLI), which may read every column anyway.
    who text := coalesce(app_role(), CASE WHEN current_setting('role') = 'none' THEN 'owner' END);
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
               (who IN ('police', 'owner') OR (who = 'village' AND h.unit_id = my_unit)) AS u
        FROM houses h
        WHERE h.id = ANY (house_ids)
          AND (who IN ('admin', 'leader', 'supervisor', 'police', 'owner')
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

-- Incident counts per hexagon, for Gi* hot spots seen by roles that may not read incident
-- records (leader, supervisor): cells of at least 100 m, so no count pins one incident down.
-- The binning is the cube rounding of geo_service/spatial/sql/hex_bin.sql (the same (i, j) as
-- ST_HexagonGrid(size_m) in `srid`); dates are town dates (Asia/Shanghai), date_to inclusive.
CREATE FUNCTION incident_hex_counts(size_m double precision, srid integer, as_of date,
                                    date_from date, date_to date, categories text[])
RETURNS TABLE (i integer, j integer, n bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT (app_role() IN ('leader', 'supervisor', 'police') OR current_setting('role') = 'none')
    THEN
        RAISE EXCEPTION 'incident hot spots are not for this role'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF size_m IS NULL OR size_m < 100 THEN
        RAISE EXCEPTION 'hexagons of at least 100 m' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN QUERY
    SELECT b.q, (b.r + floor(b.q / 2.0))::integer, count(*)
    FROM (
        SELECT (CASE WHEN a.dq > a.dr AND a.dq > a.ds THEN -a.rr - a.sr ELSE a.qr END)::integer
                   AS q,
               (CASE WHEN a.dq > a.dr AND a.dq > a.ds THEN a.rr
                     WHEN a.dr > a.ds THEN -a.qr - a.sr
                     ELSE a.rr END)::integer AS r
        FROM (
            SELECT round(f.qf) AS qr, round(f.rf) AS rr, round(-f.qf - f.rf) AS sr,
                   abs(round(f.qf) - f.qf) AS dq, abs(round(f.rf) - f.rf) AS dr,
                   abs(round(-f.qf - f.rf) + f.qf + f.rf) AS ds
            FROM (
                SELECT (2.0 / 3.0) * ST_X(p.g) / size_m AS qf,
                       (sqrt(3.0) / 3.0 * ST_Y(p.g) - ST_X(p.g) / 3.0) / size_m AS rf
                FROM (
                    SELECT ST_Transform(x.geom, srid) AS g
                    FROM incidents x
                    WHERE x.geom IS NOT NULL
                      AND x.occurred_at < (as_of + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'
                      AND (date_from IS NULL
                           OR x.occurred_at >= date_from::timestamp AT TIME ZONE 'Asia/Shanghai')
                      AND (date_to IS NULL
                           OR x.occurred_at < (date_to + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')
                      AND (categories IS NULL OR x.category = ANY (categories))
                ) p
            ) f
        ) a
    ) b
    GROUP BY 1, 2;
END
$$;
REVOKE ALL ON FUNCTION incident_hex_counts(double precision, integer, date, date, date, text[])
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION incident_hex_counts(double precision, integer, date, date, date, text[])
    TO geo_api;
