-- 逾期未整改: hazards not rectified on D and past their deadline; with :due_within N, also the
-- ones falling due within N days (D <= due <= D + N), which are not overdue yet.
WITH hs AS (
    -- @include _house_scope.sql
), zs AS (
    -- @include _hazard_state.sql
)
SELECT zs.hazard_code, zs.category, cat.label_zh AS category_zh, zs.severity,
       zs.found_on, zs.due AS due_on, zs.overdue, zs.days_overdue,
       zs.due - CAST(:as_of AS date) AS days_left,
       zs.transferred, hs.house_code, hs.address, hs.unit_name,
       coalesce(d.name, cat.department_zh) AS department,
       ST_X(hs.geom) AS lon, ST_Y(hs.geom) AS lat
FROM zs
JOIN hs ON hs.id = zs.house_id
JOIN hazard_categories cat ON cat.code = zs.category
LEFT JOIN units d ON d.id = zs.department_id
WHERE NOT zs.rectified
  AND (zs.overdue
       OR (CAST(:due_within AS integer) IS NOT NULL
           AND zs.due - CAST(:as_of AS date) BETWEEN 0 AND CAST(:due_within AS integer)))
ORDER BY zs.overdue DESC, zs.days_overdue DESC, zs.due, zs.hazard_code
