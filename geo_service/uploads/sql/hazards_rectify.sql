-- 隐患 rows uploaded by a department (职能部门): only 整改日期 and 复核日期, only of hazards
-- transferred to it. Runs as geo_import_department: its column privileges allow no other
-- field, and INSERT … ON CONFLICT DO UPDATE makes PostgreSQL refuse (not skip) a hazard the
-- department's policy does not cover, or one that does not exist. Audited like the import's
-- own upserts (etl/sql/hazards_upsert.sql); returns (inserted, updated).
WITH old AS (
    SELECT t.* FROM hazards t JOIN stage_hazards s ON s.hazard_code = t.hazard_code
), up AS (
    -- The whole row is proposed (NOT NULL and CHECK constraints are checked before the
    -- conflict is found); only the two rectification fields are ever written.
    INSERT INTO hazards AS t (hazard_code, house_id, category, severity, found_on,
                              posted_on_wall, entered_in_system, department_id, rectified_on,
                              verified_on)
    SELECT hazard_code, house_id, category, severity, found_on, posted_on_wall,
           entered_in_system, app_department_id(), rectified_on, verified_on
    FROM stage_hazards
    ON CONFLICT (hazard_code) DO UPDATE SET
        rectified_on = EXCLUDED.rectified_on,
        verified_on = EXCLUDED.verified_on,
        updated_at = now()
    WHERE (t.rectified_on, t.verified_on) IS DISTINCT FROM (EXCLUDED.rectified_on,
                                                             EXCLUDED.verified_on)
    RETURNING t.*
), audit AS (
    INSERT INTO audit_log (actor, action, table_name, record_key, before, after, detail)
    SELECT %(actor)s, 'update', 'hazards', up.hazard_code, to_jsonb(old), to_jsonb(up),
           jsonb_build_object('source', %(source)s, 'row', s.row_no, 'via', 'import')
    FROM up
    JOIN stage_hazards s ON s.hazard_code = up.hazard_code
    LEFT JOIN old ON old.id = up.id
    RETURNING action
)
SELECT 0, count(*) FROM audit;
