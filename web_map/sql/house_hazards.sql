-- The hazards of one house found on or before :as_of, with their lifecycle as of that day
-- (hazard_state()).
SELECT z.id, z.hazard_code, z.category, c.label_zh AS category_zh, z.severity, z.found_on,
       z.due_on, z.status, z.days_overdue, z.posted_on_wall, z.entered_in_system,
       d.name AS department,
       CASE WHEN z.transferred_on <= :as_of THEN z.transferred_on END AS transferred_on,
       CASE WHEN z.rectified THEN z.rectified_on END AS rectified_on,
       CASE WHEN z.verified_on <= :as_of THEN z.verified_on END AS verified_on,
       z.description
FROM hazard_state(CAST(:as_of AS date)) z
JOIN hazard_categories c ON c.code = z.category
LEFT JOIN units d ON d.id = z.department_id
WHERE z.house_id = :id
ORDER BY z.found_on, z.id
