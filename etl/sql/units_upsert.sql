-- 单位 sheet → units, by 单位名称. Unchanged rows are not touched; every insert and update
-- is written to the audit log with the row before and after, in the same statement.
WITH old AS (
    SELECT t.* FROM units t JOIN stage_units s ON s.name = t.name
), up AS (
    INSERT INTO units AS t (
        name, kind, has_task_list, has_annual_plan, holds_meetings, accountability_evaluated
    )
    SELECT name, kind, has_task_list, has_annual_plan, holds_meetings, accountability_evaluated
    FROM stage_units
    ON CONFLICT (name) DO UPDATE SET
        kind = EXCLUDED.kind,
        has_task_list = EXCLUDED.has_task_list,
        has_annual_plan = EXCLUDED.has_annual_plan,
        holds_meetings = EXCLUDED.holds_meetings,
        accountability_evaluated = EXCLUDED.accountability_evaluated,
        updated_at = now()
    WHERE (t.kind, t.has_task_list, t.has_annual_plan, t.holds_meetings,
           t.accountability_evaluated)
        IS DISTINCT FROM
          (EXCLUDED.kind, EXCLUDED.has_task_list, EXCLUDED.has_annual_plan,
           EXCLUDED.holds_meetings, EXCLUDED.accountability_evaluated)
    RETURNING t.*, (t.xmax = 0) AS inserted
), audit AS (
    INSERT INTO audit_log (actor, action, table_name, record_key, before, after, detail)
    SELECT %(actor)s,
           CASE WHEN up.inserted THEN 'insert' ELSE 'update' END,
           'units',
           up.name,
           to_jsonb(old),
           to_jsonb(up) - 'inserted',
           jsonb_build_object('source', %(source)s, 'row', s.row_no, 'via', 'import')
    FROM up
    JOIN stage_units s ON s.name = up.name
    LEFT JOIN old ON old.id = up.id
    RETURNING action
)
SELECT count(*) FILTER (WHERE action = 'insert'), count(*) FILTER (WHERE action = 'update')
FROM audit;
