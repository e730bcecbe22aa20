-- 逾期未整改: hazards found by :as_of, not rectified by :as_of, deadline before :as_of
-- (the deadline day itself is not late), with the number of days past the deadline.
SELECT hz.id AS fid, hz.hazard_code, hz.house_id, h.house_code, h.unit_id, u.name AS unit_name,
       hz.category, c.label_zh AS category_zh, c.group_code AS category_group, hz.severity,
       hz.found_on, hz.due_on,
       coalesce(d.name, c.department_zh) AS department,
       CAST(:as_of AS date) - hz.due_on AS days_overdue,
       h.geom
FROM hazards hz
JOIN houses h ON h.id = hz.house_id
LEFT JOIN units u ON u.id = h.unit_id
LEFT JOIN hazard_categories c ON c.code = hz.category
LEFT JOIN units d ON d.id = hz.department_id
WHERE hz.found_on <= CAST(:as_of AS date)
  AND hz.due_on < CAST(:as_of AS date)
  AND (hz.rectified_on IS NULL OR hz.rectified_on > CAST(:as_of AS date))
