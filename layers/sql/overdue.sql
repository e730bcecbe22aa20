-- 逾期未整改 on :as_of: hazard_state()'s overdue hazards (found by :as_of, not rectified by
-- :as_of, :as_of past the deadline — the deadline day itself is not late), with the days past it.
SELECT hz.id AS fid, hz.hazard_code, hz.house_id, h.house_code, h.unit_id, u.name AS unit_name,
       hz.category, c.label_zh AS category_zh, c.group_code AS category_group, hz.severity,
       hz.found_on, hz.due_on,
       coalesce(d.name, c.department_zh) AS department,
       hz.days_overdue,
       h.geom
FROM hazard_state(CAST(:as_of AS date)) hz
JOIN houses h ON h.id = hz.house_id
LEFT JOIN units u ON u.id = h.unit_id
LEFT JOIN hazard_categories c ON c.code = hz.category
LEFT JOIN units d ON d.id = hz.department_id
WHERE hz.overdue
