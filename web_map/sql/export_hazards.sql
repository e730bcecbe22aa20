-- Hazards under the filters with their state on :as_of (hazard_state()), one row each, for
-- exports.
SELECT z.hazard_code, h.house_code, u.name AS unit_name, h.address, c.label_zh AS category,
       CASE z.severity WHEN 'major' THEN '重大' ELSE '一般' END AS severity,
       z.found_on, z.due_on,
       CASE WHEN z.transferred_on <= :as_of THEN z.transferred_on END AS transferred_on,
       CASE WHEN z.rectified THEN z.rectified_on END AS rectified_on,
       z.status, z.days_overdue,
       round(ST_X(h.geom)::numeric, 6) AS lon, round(ST_Y(h.geom)::numeric, 6) AS lat
FROM hazard_state(CAST(:as_of AS date)) z
JOIN houses h ON h.id = z.house_id
JOIN units u ON u.id = h.unit_id
JOIN hazard_categories c ON c.code = z.category
WHERE h.geom IS NOT NULL AND /*house_scope*/ AND /*hazard_scope*/ AND /*bbox*/
  AND (CAST(:status AS text[]) IS NULL OR z.status = ANY(:status))
ORDER BY z.hazard_code
