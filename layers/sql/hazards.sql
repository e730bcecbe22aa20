-- 安全隐患 as they stood on :as_of, at their house's point: the state is hazard_state()'s,
-- defined once in the database (status, days overdue); the transfer, rectification and
-- verification dates show only if they are on or before :as_of (later ones have not happened).
-- The house's unit_id and is_self_built (as recorded on :as_of) and the hazard's department_id
-- are for the scope's filters.
-- LEFT JOINs on primary keys (the foreign keys guarantee a match) so the planner can drop the
-- ones a query does not read.
SELECT z.id AS fid, z.hazard_code, z.house_id, h.house_code, h.unit_id, u.name AS unit_name,
       h.address, z.category, c.label_zh AS category_zh, c.group_code AS category_group,
       z.severity, z.found_on, z.due_on, coalesce(d.name, c.department_zh) AS department,
       z.days_overdue,
       z.posted_on_wall, z.entered_in_system,
       CASE WHEN z.transferred_on <= CAST(:as_of AS date) THEN z.transferred_on END
           AS transferred_on,
       CASE WHEN z.rectified THEN z.rectified_on END AS rectified_on,
       CASE WHEN z.verified_on <= CAST(:as_of AS date) THEN z.verified_on END AS verified_on,
       z.status, z.overdue, z.department_id,
       house_self_built_on(h.id, h.valid_from, h.is_self_built, CAST(:as_of AS date))
           AS is_self_built,
       h.geom
FROM hazard_state(CAST(:as_of AS date)) z
JOIN houses h ON h.id = z.house_id
LEFT JOIN units u ON u.id = h.unit_id
LEFT JOIN hazard_categories c ON c.code = z.category
LEFT JOIN units d ON d.id = z.department_id
