-- What each API role may read and change. Default deny: a table or column not granted here
-- is out of reach of every API role. The owner (CLI, ETL) is not subject to these policies.
--
-- Roles: admin (users, configuration), leader (aggregates, maps), supervisor (all units,
-- reviews), police (everything incl. incidents), department (hazards transferred to it),
-- village (its own unit). Personal data: see house_contacts(); never granted as columns.

-- Reference layers: every API role reads them.
GRANT SELECT ON units, key_areas, schools, roads, addresses, hazard_categories, meta TO geo_api;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO geo_api;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO geo_api;

REVOKE ALL ON FUNCTION house_contacts(integer[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION audit_incident_reads(jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION audit_write() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION house_contacts(integer[]) TO geo_api;
GRANT EXECUTE ON FUNCTION audit_incident_reads(jsonb) TO geo_api;

-- houses: every column but the landlords' personal data.
ALTER TABLE houses ENABLE ROW LEVEL SECURITY;
GRANT SELECT (id, house_code, unit_id, address, second_landlord_registered, rooms, beds, tenants,
              registered_tenants, is_registered, pledge_signed, cctv_installed,
              cctv_retention_days, is_self_built, last_inspected_on, has_smoke_masks,
              has_torches, has_extinguishers, electricity_kwh_month, geom, geocode_method,
              geocode_confidence, needs_review, updated_at)
    ON houses TO geo_api;
GRANT INSERT, UPDATE ON houses TO geo_api_village, geo_api_police;
CREATE POLICY houses_read_all ON houses FOR SELECT
    TO geo_api_admin, geo_api_leader, geo_api_supervisor, geo_api_police USING (true);
CREATE POLICY houses_read_village ON houses FOR SELECT TO geo_api_village
    USING (unit_id = app_unit_id());
-- ARRAY(...) is computed once per query and lets the planner use the primary key.
CREATE POLICY houses_read_department ON houses FOR SELECT TO geo_api_department
    USING (id = ANY (ARRAY(SELECT house_id FROM hazards WHERE department_id = app_department_id())));
CREATE POLICY houses_insert_village ON houses FOR INSERT TO geo_api_village
    WITH CHECK (unit_id = app_unit_id());
CREATE POLICY houses_update_village ON houses FOR UPDATE TO geo_api_village
    USING (unit_id = app_unit_id()) WITH CHECK (unit_id = app_unit_id());
CREATE POLICY houses_insert_police ON houses FOR INSERT TO geo_api_police WITH CHECK (true);
CREATE POLICY houses_update_police ON houses FOR UPDATE TO geo_api_police
    USING (true) WITH CHECK (true);

-- hazards
ALTER TABLE hazards ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON hazards TO geo_api;
GRANT INSERT, UPDATE ON hazards TO geo_api_village, geo_api_police;
GRANT INSERT, UPDATE (rectified_on, verified_on, description, updated_at)
    ON hazards TO geo_api_supervisor;
GRANT UPDATE (rectified_on, description, updated_at) ON hazards TO geo_api_department;
CREATE POLICY hazards_read_all ON hazards FOR SELECT
    TO geo_api_admin, geo_api_leader, geo_api_supervisor, geo_api_police USING (true);
CREATE POLICY hazards_read_village ON hazards FOR SELECT TO geo_api_village
    USING (house_id = ANY (ARRAY(SELECT id FROM houses WHERE unit_id = app_unit_id())));
CREATE POLICY hazards_read_department ON hazards FOR SELECT TO geo_api_department
    USING (department_id = app_department_id());
CREATE POLICY hazards_insert_village ON hazards FOR INSERT TO geo_api_village
    WITH CHECK (house_id = ANY (ARRAY(SELECT id FROM houses WHERE unit_id = app_unit_id())));
CREATE POLICY hazards_update_village ON hazards FOR UPDATE TO geo_api_village
    USING (house_id = ANY (ARRAY(SELECT id FROM houses WHERE unit_id = app_unit_id())))
    WITH CHECK (house_id = ANY (ARRAY(SELECT id FROM houses WHERE unit_id = app_unit_id())));
CREATE POLICY hazards_update_department ON hazards FOR UPDATE TO geo_api_department
    USING (department_id = app_department_id())
    WITH CHECK (department_id = app_department_id());
CREATE POLICY hazards_insert_staff ON hazards FOR INSERT
    TO geo_api_police, geo_api_supervisor WITH CHECK (true);
CREATE POLICY hazards_update_staff ON hazards FOR UPDATE
    TO geo_api_police, geo_api_supervisor USING (true) WITH CHECK (true);

-- incidents (警情): police only; leaders get aggregates through SECURITY DEFINER functions.
ALTER TABLE incidents ENABLE ROW LEVEL SECURITY;
GRANT SELECT, INSERT, UPDATE ON incidents TO geo_api_police;
CREATE POLICY incidents_police ON incidents FOR ALL TO geo_api_police
    USING (true) WITH CHECK (true);

-- inspections
ALTER TABLE inspections ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON inspections
    TO geo_api_admin, geo_api_leader, geo_api_supervisor, geo_api_police, geo_api_village;
GRANT INSERT, UPDATE ON inspections TO geo_api_village, geo_api_police, geo_api_supervisor;
CREATE POLICY inspections_read_all ON inspections FOR SELECT
    TO geo_api_admin, geo_api_leader, geo_api_supervisor, geo_api_police USING (true);
CREATE POLICY inspections_village ON inspections FOR ALL TO geo_api_village
    USING (house_id = ANY (ARRAY(SELECT id FROM houses WHERE unit_id = app_unit_id())))
    WITH CHECK (house_id = ANY (ARRAY(SELECT id FROM houses WHERE unit_id = app_unit_id())));
CREATE POLICY inspections_write_staff ON inspections FOR ALL
    TO geo_api_police, geo_api_supervisor USING (true) WITH CHECK (true);

-- review_visits (回头看)
ALTER TABLE review_visits ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON review_visits
    TO geo_api_admin, geo_api_leader, geo_api_supervisor, geo_api_police, geo_api_village;
GRANT INSERT, UPDATE ON review_visits TO geo_api_supervisor, geo_api_police;
CREATE POLICY review_visits_read_all ON review_visits FOR SELECT
    TO geo_api_admin, geo_api_leader, geo_api_supervisor, geo_api_police USING (true);
CREATE POLICY review_visits_read_village ON review_visits FOR SELECT TO geo_api_village
    USING (house_id = ANY (ARRAY(SELECT id FROM houses WHERE unit_id = app_unit_id())));
CREATE POLICY review_visits_write_staff ON review_visits FOR ALL
    TO geo_api_police, geo_api_supervisor USING (true) WITH CHECK (true);

-- saved patrol route plans: the supervision group and police plan; leaders and admin look.
ALTER TABLE route_plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE route_plan_routes ENABLE ROW LEVEL SECURITY;
ALTER TABLE route_plan_stops ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON route_plans, route_plan_routes, route_plan_stops
    TO geo_api_admin, geo_api_leader, geo_api_supervisor, geo_api_police;
GRANT INSERT, UPDATE, DELETE ON route_plans, route_plan_routes, route_plan_stops
    TO geo_api_supervisor, geo_api_police;
CREATE POLICY route_plans_read ON route_plans FOR SELECT
    TO geo_api_admin, geo_api_leader, geo_api_supervisor, geo_api_police USING (true);
CREATE POLICY route_plans_write ON route_plans FOR ALL
    TO geo_api_supervisor, geo_api_police USING (true) WITH CHECK (true);
CREATE POLICY route_plan_routes_read ON route_plan_routes FOR SELECT
    TO geo_api_admin, geo_api_leader, geo_api_supervisor, geo_api_police USING (true);
CREATE POLICY route_plan_routes_write ON route_plan_routes FOR ALL
    TO geo_api_supervisor, geo_api_police USING (true) WITH CHECK (true);
CREATE POLICY route_plan_stops_read ON route_plan_stops FOR SELECT
    TO geo_api_admin, geo_api_leader, geo_api_supervisor, geo_api_police USING (true);
CREATE POLICY route_plan_stops_write ON route_plan_stops FOR ALL
    TO geo_api_supervisor, geo_api_police USING (true) WITH CHECK (true);

-- audit_log: read by admin and police; written only by the SECURITY DEFINER functions above,
-- so no API role can insert, change or delete a row of it.
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON audit_log TO geo_api_admin, geo_api_police;
CREATE POLICY audit_log_read ON audit_log FOR SELECT TO geo_api_admin, geo_api_police
    USING (true);

-- users: reached only by the owner (login, the per-request check, the CLI).
ALTER TABLE users ENABLE ROW LEVEL SECURITY;

-- Every write made by an API request leaves an audit row (app.username is set only there;
-- the CLI and the import audit their own runs, and bulk loads skip the trigger cheaply).
CREATE TRIGGER audit_write AFTER INSERT OR UPDATE OR DELETE ON houses FOR EACH ROW
    WHEN (coalesce(current_setting('app.username', true), '') <> '') EXECUTE FUNCTION audit_write();
CREATE TRIGGER audit_write AFTER INSERT OR UPDATE OR DELETE ON hazards FOR EACH ROW
    WHEN (coalesce(current_setting('app.username', true), '') <> '') EXECUTE FUNCTION audit_write();
CREATE TRIGGER audit_write AFTER INSERT OR UPDATE OR DELETE ON incidents FOR EACH ROW
    WHEN (coalesce(current_setting('app.username', true), '') <> '') EXECUTE FUNCTION audit_write();
CREATE TRIGGER audit_write AFTER INSERT OR UPDATE OR DELETE ON inspections FOR EACH ROW
    WHEN (coalesce(current_setting('app.username', true), '') <> '') EXECUTE FUNCTION audit_write();
CREATE TRIGGER audit_write AFTER INSERT OR UPDATE OR DELETE ON review_visits FOR EACH ROW
    WHEN (coalesce(current_setting('app.username', true), '') <> '') EXECUTE FUNCTION audit_write();
CREATE TRIGGER audit_write AFTER INSERT OR UPDATE OR DELETE ON units FOR EACH ROW
    WHEN (coalesce(current_setting('app.username', true), '') <> '') EXECUTE FUNCTION audit_write();
CREATE TRIGGER audit_write AFTER INSERT OR UPDATE OR DELETE ON route_plans FOR EACH ROW
    WHEN (coalesce(current_setting('app.username', true), '') <> '') EXECUTE FUNCTION audit_write();
