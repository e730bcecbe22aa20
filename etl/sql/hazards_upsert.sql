-- 隐患 sheet → hazards, by 隐患编号, with audit; due_on is derived by the trigger
-- hazards_derive_due (hazard_due(), migration 0009), never sent.
WITH old AS (
    SELECT t.* FROM hazards t JOIN stage_hazards s ON s.hazard_code = t.hazard_code
), up AS (
    INSERT INTO hazards AS t (
        hazard_code, house_id, category, severity, found_on, deadline_on,
        posted_on_wall, entered_in_system, department_id, transferred_on, rectified_on,
        verified_on, description
    )
    SELECT hazard_code, house_id, category, severity, found_on, deadline_on,
           posted_on_wall, entered_in_system, department_id, transferred_on, rectified_on,
           verified_on, description
    FROM stage_hazards
    ON CONFLICT (hazard_code) DO UPDATE SET
        house_id = EXCLUDED.house_id,
        category = EXCLUDED.category,
        severity = EXCLUDED.severity,
        found_on = EXCLUDED.found_on,
        deadline_on = EXCLUDED.deadline_on,
        posted_on_wall = EXCLUDED.posted_on_wall,
        entered_in_system = EXCLUDED.entered_in_system,
        department_id = EXCLUDED.department_id,
        transferred_on = EXCLUDED.transferred_on,
        rectified_on = EXCLUDED.rectified_on,
        verified_on = EXCLUDED.verified_on,
        description = EXCLUDED.description,
        updated_at = now()
    WHERE (t.house_id, t.category, t.severity, t.found_on, t.deadline_on,
           t.posted_on_wall, t.entered_in_system, t.department_id, t.transferred_on,
           t.rectified_on, t.verified_on, t.description)
        IS DISTINCT FROM
          (EXCLUDED.house_id, EXCLUDED.category, EXCLUDED.severity, EXCLUDED.found_on,
           EXCLUDED.deadline_on, EXCLUDED.posted_on_wall,
           EXCLUDED.entered_in_system, EXCLUDED.department_id, EXCLUDED.transferred_on,
           EXCLUDED.rectified_on, EXCLUDED.verified_on, EXCLUDED.description)
    RETURNING t.*, (t.xmax = 0) AS inserted
), audit AS (
    INSERT INTO audit_log (actor, action, table_name, record_key, before, after, detail)
    SELECT %(actor)s,
           CASE WHEN up.inserted THEN 'insert' ELSE 'update' END,
           'hazards',
           up.hazard_code,
           to_jsonb(old),
           to_jsonb(up) - 'inserted',
           jsonb_build_object('source', %(source)s, 'row', s.row_no, 'via', 'import')
    FROM up
    JOIN stage_hazards s ON s.hazard_code = up.hazard_code
    LEFT JOIN old ON old.id = up.id
    RETURNING action
)
SELECT count(*) FILTER (WHERE action = 'insert'), count(*) FILTER (WHERE action = 'update')
FROM audit;
-- @next
-- @include link_hazards.sql
