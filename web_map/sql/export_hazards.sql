-- Hazards under the filters with their status on :as_of, one row each, for exports.
SELECT * FROM (
    SELECT z.hazard_code, h.house_code, u.name AS unit_name, h.address, c.label_zh AS category,
           CASE z.severity WHEN 'major' THEN '重大' ELSE '一般' END AS severity,
           z.found_on, z.due_on,
           CASE WHEN z.transferred_on <= :as_of THEN z.transferred_on END AS transferred_on,
           CASE WHEN z.rectified_on <= :as_of THEN z.rectified_on END AS rectified_on,
           CASE WHEN z.rectified_on <= :as_of THEN 'rectified'
                WHEN :as_of > z.due_on THEN 'overdue' ELSE 'open' END AS status,
           CASE WHEN (z.rectified_on IS NULL OR z.rectified_on > :as_of) AND :as_of > z.due_on
                THEN :as_of - z.due_on ELSE 0 END AS days_overdue,
           round(ST_X(h.geom)::numeric, 6) AS lon, round(ST_Y(h.geom)::numeric, 6) AS lat
    FROM hazards z
    JOIN houses h ON h.id = z.house_id
    JOIN units u ON u.id = h.unit_id
    JOIN hazard_categories c ON c.code = z.category
    WHERE z.found_on <= :as_of AND h.geom IS NOT NULL
      AND /*house_scope*/ AND /*hazard_scope*/ AND /*bbox*/
) t
WHERE CAST(:status AS text[]) IS NULL OR t.status = ANY(:status)
ORDER BY t.hazard_code
