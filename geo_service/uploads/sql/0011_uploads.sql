-- Uploads (上报数据, docs/upload.md): what the web import's database roles may do beyond their
-- API role, and who may read the record of uploads.
--
-- The import's writes (COPY into its staging tables, the upserts, their audit rows) run under
-- geo_import_<role> with the uploader's unit in app.unit_id / app.department_id; a row the
-- policies refuse makes PostgreSQL refuse the statement, so the file is rolled back. The
-- import's checks name the unit first (geo_service/uploads/scope.py); these rules are the
-- backstop.

-- village: every column of the houses it may write, the landlords' too (the upsert compares
-- and audits them; a village sees its own landlords unmasked anyway), as a table privilege:
-- the upsert tells inserts from updates by the system column xmax, which no column privilege
-- covers. And the responsibility flags of its own unit's row in the 单位 sheet (SPEC §3.1).
GRANT SELECT ON houses TO geo_import_village;
GRANT INSERT (name, kind, has_task_list, has_annual_plan, holds_meetings,
              accountability_evaluated),
      UPDATE (kind, has_task_list, has_annual_plan, holds_meetings, accountability_evaluated,
              updated_at)
    ON units TO geo_import_village;
-- INSERT … ON CONFLICT checks the proposed row against the INSERT policy and, as it returns
-- rows, the SELECT policies, even when it then conflicts and becomes an update: the proposal
-- must be the village's own unit by name (app.unit_name; a new row has no id yet).
CREATE POLICY units_import_village_insert ON units FOR INSERT TO geo_import_village
    WITH CHECK (name = current_setting('app.unit_name', true));
CREATE POLICY units_import_village_read ON units FOR SELECT TO geo_import_village
    USING (name = current_setting('app.unit_name', true));
CREATE POLICY units_import_village ON units FOR UPDATE TO geo_import_village
    USING (id = app_unit_id())
    WITH CHECK (id = app_unit_id() AND kind IN ('village', 'community'));

-- department: 整改日期 and 复核日期 of the hazards transferred to it (hazards_update_department
-- of geo_api_department decides which). INSERT is granted only so that the write can be
-- INSERT … ON CONFLICT DO UPDATE, which makes PostgreSQL refuse a hazard that is not the
-- department's (an UPDATE would silently skip it): the proposed row must be one of its
-- hazards, so it always conflicts and the insert path can never add one.
GRANT INSERT (hazard_code, house_id, category, severity, found_on, posted_on_wall,
              entered_in_system, department_id, rectified_on, verified_on),
      UPDATE (rectified_on, verified_on, updated_at)
    ON hazards TO geo_import_department;
CREATE POLICY hazards_import_department ON hazards FOR INSERT TO geo_import_department
    WITH CHECK (department_id = app_department_id()
                AND hazard_code = ANY (ARRAY(SELECT z.hazard_code FROM hazards z
                                             WHERE z.department_id = app_department_id())));

-- police: 警情, and the unit boundaries that place an incident in its village.
GRANT SELECT, INSERT, UPDATE ON incidents TO geo_import_police;
CREATE POLICY incidents_import_police ON incidents FOR ALL TO geo_import_police
    USING (true) WITH CHECK (true);
CREATE POLICY units_import_police ON units FOR SELECT TO geo_import_police USING (true);

-- The import writes an audit row per changed row in the same statement (etl/sql/*_upsert.sql):
-- only rows of this import (app.import_actor: the uploader; detail.via = 'import'), and it may
-- read back of them only what RETURNING needs.
GRANT INSERT ON audit_log TO geo_import_village, geo_import_department, geo_import_police;
GRANT SELECT (action) ON audit_log
    TO geo_import_village, geo_import_department, geo_import_police;
CREATE POLICY audit_log_import_write ON audit_log FOR INSERT
    TO geo_import_village, geo_import_department, geo_import_police
    WITH CHECK (actor = current_setting('app.import_actor', true)
                AND detail ->> 'via' = 'import');
CREATE POLICY audit_log_import_returning ON audit_log FOR SELECT
    TO geo_import_village, geo_import_department, geo_import_police
    USING (actor = current_setting('app.import_actor', true) AND detail ->> 'via' = 'import');

-- The record of uploads: read by the uploader's scope (a village its unit's, a department
-- its own, the police theirs, the administrator all), written only by the server's upload
-- runner (the owner). The files themselves (content) are read by no API role: they are kept
-- for the record and the backup.
ALTER TABLE import_jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE import_files ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON import_jobs TO geo_api_admin, geo_api_police, geo_api_department, geo_api_village;
GRANT SELECT (id, job_id, seq, file_name, size_bytes, sha256, outcome, result, report)
    ON import_files TO geo_api_admin, geo_api_police, geo_api_department, geo_api_village;
CREATE POLICY import_jobs_admin ON import_jobs FOR SELECT TO geo_api_admin USING (true);
CREATE POLICY import_jobs_police ON import_jobs FOR SELECT TO geo_api_police
    USING (role = 'police');
CREATE POLICY import_jobs_department ON import_jobs FOR SELECT TO geo_api_department
    USING (role = 'department' AND unit_id = app_department_id());
CREATE POLICY import_jobs_village ON import_jobs FOR SELECT TO geo_api_village
    USING (role = 'village' AND unit_id = app_unit_id());
CREATE POLICY import_files_read ON import_files FOR SELECT
    TO geo_api_admin, geo_api_police, geo_api_department, geo_api_village
    USING (job_id = ANY (ARRAY(SELECT id FROM import_jobs)));
