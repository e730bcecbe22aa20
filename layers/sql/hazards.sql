-- 安全隐患 as they stood on :as_of, at their house's point (SPEC §3.3, §6): hazard_state()
-- holds the state (rectified on or before :as_of, overdue, open), defined once in the database.
-- LEFT JOINs on primary keys (the foreign keys guarantee a match) so the planner can drop the
-- ones a query does not read.
SELECT hz.id AS fid, hz.hazard_code, hz.house_id, h.house_code, h.unit_id, u.name AS unit_name,
       hz.category, c.label_zh AS category_zh, c.group_code AS category_group, hz.severity,
       hz.found_on, hz.due_on,
       coalesce(d.name, c.department_zh) AS department,
       CASE WHEN hz.rectified THEN hz.rectified_on END AS rectified_on,
       hz.status,
       h.geom
FROM hazard_state(CAST(:as_of AS date)) hz
JOIN houses h ON h.id = hz.house_id
LEFT JOIN units u ON u.id = h.unit_id
LEFT JOIN hazard_categories c ON c.code = hz.category
LEFT JOIN units d ON d.id = hz.department_id
