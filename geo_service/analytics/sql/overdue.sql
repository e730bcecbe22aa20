-- 逾期未整改: hazards not rectified on D and past their deadline; with :due_within N, also the
-- ones falling due within N days (D <= due <= D + N), which are not overdue yet.
-- One row: `counts` (per unit: overdue, due soon) over EVERY matching hazard, and `items`, one
-- page of them (:limit from :offset; a NULL :limit is LIMIT ALL, for the CLI and the reports).
-- The matches are computed once and both answers read them, so a page costs one scan.
WITH hs AS (
    -- @include _house_scope.sql
), zs AS (
    -- @include _hazards.sql
), matched AS MATERIALIZED (
    SELECT zs.id, zs.hazard_code, zs.category, zs.severity, zs.found_on, zs.due_on,
           zs.overdue, zs.days_overdue, zs.days_left, zs.transferred, zs.department_id,
           hs.house_code, hs.address, hs.unit_name, hs.geom
    FROM zs
    JOIN hs ON hs.id = zs.house_id
    WHERE NOT zs.rectified
      AND (zs.overdue
           OR (CAST(:due_within AS integer) IS NOT NULL
               AND zs.days_left BETWEEN 0 AND CAST(:due_within AS integer)))
), page AS (
    -- Most overdue first; hazard_code is unique, so the order is total and pages never overlap.
    SELECT m.*
    FROM matched m
    ORDER BY m.overdue DESC, m.days_overdue DESC, m.due_on, m.hazard_code
    LIMIT CAST(:limit AS bigint) OFFSET CAST(:offset AS bigint)
)
SELECT (SELECT coalesce(json_agg(json_build_array(g.unit_name, g.overdue, g.due_soon)), '[]')
        FROM (SELECT unit_name, count(*) FILTER (WHERE overdue) AS overdue,
                     count(*) FILTER (WHERE NOT overdue) AS due_soon
              FROM matched GROUP BY unit_name) g) AS counts,
       (SELECT coalesce(json_agg(json_build_object(
                   'hazard_code', p.hazard_code, 'category', p.category,
                   'category_zh', cat.label_zh, 'severity', p.severity,
                   'found_on', p.found_on, 'due_on', p.due_on, 'overdue', p.overdue,
                   'days_overdue', p.days_overdue,
                   'days_left', p.days_left,
                   'transferred', p.transferred, 'house_code', p.house_code,
                   'address', p.address, 'unit', p.unit_name,
                   'department', coalesce(d.name, cat.department_zh),
                   'lon', ST_X(p.geom), 'lat', ST_Y(p.geom)) ORDER BY p.overdue DESC, p.days_overdue DESC, p.due_on, p.hazard_code), '[]')
        FROM page p
        JOIN hazard_categories cat ON cat.code = p.category
        LEFT JOIN units d ON d.id = p.department_id) AS items
