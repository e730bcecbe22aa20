-- 检查记录 sheet → inspections (source 'sheet'), by house + day + kind + 检查单位
-- (uq_inspections_sheet_key), with audit. %(keep_found)s / %(keep_notes)s: the file has no
-- 是否发现隐患 / 备注 column, so the stored value stays.
WITH old AS (
    SELECT t.* FROM inspections t
    JOIN stage_inspections s
      ON (s.house_id, s.inspected_on, s.kind, s.unit_name)
       = (t.house_id, t.inspected_on, t.kind, t.unit_name)
    WHERE t.source = 'sheet'
), up AS (
    INSERT INTO inspections AS t (house_id, inspected_on, kind, unit_name, unit_id,
                                  found_hazard, notes, source)
    SELECT house_id, inspected_on, kind, unit_name, unit_id, found_hazard, notes, 'sheet'
    FROM stage_inspections
    ON CONFLICT (house_id, inspected_on, kind, unit_name) WHERE source = 'sheet' DO UPDATE SET
        unit_id = EXCLUDED.unit_id,
        found_hazard = CASE WHEN %(keep_found)s THEN t.found_hazard ELSE EXCLUDED.found_hazard END,
        notes = CASE WHEN %(keep_notes)s THEN t.notes ELSE EXCLUDED.notes END
    WHERE (t.unit_id, t.found_hazard, t.notes)
        IS DISTINCT FROM
          (EXCLUDED.unit_id,
           CASE WHEN %(keep_found)s THEN t.found_hazard ELSE EXCLUDED.found_hazard END,
           CASE WHEN %(keep_notes)s THEN t.notes ELSE EXCLUDED.notes END)
    RETURNING t.*, (t.xmax = 0) AS inserted
), audit AS (
    INSERT INTO audit_log (actor, action, table_name, record_key, before, after, detail)
    SELECT %(actor)s,
           CASE WHEN up.inserted THEN 'insert' ELSE 'update' END,
           'inspections',
           up.id::text,
           to_jsonb(old),
           to_jsonb(up) - 'inserted',
           jsonb_build_object('source', %(source)s, 'row', s.row_no, 'via', 'import')
    FROM up
    JOIN stage_inspections s
      ON (s.house_id, s.inspected_on, s.kind, s.unit_name)
       = (up.house_id, up.inspected_on, up.kind, up.unit_name)
    LEFT JOIN old ON old.id = up.id
    RETURNING action
)
SELECT count(*) FILTER (WHERE action = 'insert'), count(*) FILTER (WHERE action = 'update')
FROM audit;
-- @next
-- @include link_hazards.sql
