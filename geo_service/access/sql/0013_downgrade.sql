-- Undo 0013: the audit log's one read policy again; drop the fixed-grid functions. The
-- migration then restores the 0005 hot-spot function (free cell size) and the 0008
-- incident_counts_near by running their files again.
DROP POLICY audit_log_read_admin ON audit_log;
DROP POLICY audit_log_read_police ON audit_log;
CREATE POLICY audit_log_read ON audit_log FOR SELECT TO geo_api_admin, geo_api_police
    USING (true);
DROP FUNCTION incident_hex_counts(date, date, date, text[]);
DROP FUNCTION incident_cells(date, date, text[]);
DROP FUNCTION incident_months(date, date, date);
DROP FUNCTION incident_grid_cell(geometry, double precision);
DROP FUNCTION incident_grid_cell_xy(double precision, double precision, double precision);
DROP FUNCTION incident_grid_size();
CREATE FUNCTION incident_hex_counts(size_m double precision, srid integer, as_of date,
                                    date_from date, date_to date, categories text[])
RETURNS TABLE (i integer, j integer, n bigint)
LANGUAGE sql AS $$ SELECT 0, 0, CAST(0 AS bigint) $$;  -- replaced by 0005_aggregates.sql
REVOKE ALL ON FUNCTION incident_hex_counts(double precision, integer, date, date, date, text[])
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION incident_hex_counts(double precision, integer, date, date, date, text[])
    TO geo_api;
