-- 逾期未整改: hazards not rectified on D and past their deadline; with :due_within N, also the
-- ones falling due within N days (D <= due <= D + N), which are not overdue yet.
-- One row: `counts` (per unit: overdue, due soon) over EVERY matching hazard, and `items`, one
-- page of them (:limit from :offset; a NULL :limit is LIMIT ALL, for the CLI and the reports).
-- The matches are computed once, narrow (keys and the unit), and both answers read them; only
-- the page's hazards and houses are then read in full.
-- hs and zs are read twice (the matches, the page): NOT MATERIALIZED keeps each inlined
-- where it is read, so the page's look-ups go by primary key.
WITH hs AS NOT MATERIALIZED (
    -- @include _house_scope.sql
), zs AS NOT MATERIALIZED (
    -- @include _hazards.sql
), matched AS MATERIALIZED (
    SELECT zs.id, zs.house_id, zs.hazard_code, zs.due_on, zs.overdue, zs.days_overdue,
           hs.unit_name
    FROM zs
    JOIN hs ON hs.id = zs.house_id
    WHERE NOT zs.rectified
      -- The same conditions in the form of ix_hazards_unrectified_on (migration 0019): the
      -- scan reads the hazards still open on D and due by D + N from the index, not every one.
      AND coalesce(zs.rectified_on, 'infinity') > CAST(:as_of AS date)
      AND zs.due_on <= CAST(:as_of AS date) + coalesce(CAST(:due_within AS integer), -1)
      AND (zs.overdue
           OR (CAST(:due_within AS integer) IS NOT NULL
               AND zs.days_left BETWEEN 0 AND CAST(:due_within AS integer)))
), page AS (
    -- Most overdue first; hazard_code is unique, so the order is total and pages never overlap.
    SELECT m.id, m.house_id
    FROM matched m
    ORDER BY m.overdue DESC, m.days_overdue DESC, m.due_on, m.hazard_code
    LIMIT CAST(:limit AS bigint) OFFSET CAST(:offset AS bigint)
)
SELECT (SELECT coalesce(json_agg(json_build_array(g.unit_name, g.overdue, g.due_soon)), '[]')
        FROM (SELECT unit_name, count(*) FILTER (WHERE overdue) AS overdue,
                     count(*) FILTER (WHERE NOT overdue) AS due_soon
              FROM matched GROUP BY unit_name) g) AS counts,
       (SELECT coalesce(json_agg(json_build_object(
                   'hazard_code', z.hazard_code, 'category', z.category,
                   'category_zh', cat.label_zh, 'severity', z.severity,
                   'found_on', z.found_on, 'due_on', z.due_on, 'overdue', z.overdue,
                   'days_overdue', z.days_overdue,
                   'days_left', z.days_left,
                   'transferred', z.transferred, 'house_code', h.house_code,
                   'address', h.address, 'unit', h.unit_name,
                   'department', coalesce(d.name, cat.department_zh),
                   'lon', ST_X(h.geom), 'lat', ST_Y(h.geom)) ORDER BY z.overdue DESC, z.days_overdue DESC, z.due_on, z.hazard_code), '[]')
        FROM page p
        JOIN zs z ON z.id = p.id
        JOIN hs h ON h.id = p.house_id
        JOIN hazard_categories cat ON cat.code = z.category
        LEFT JOIN units d ON d.id = z.department_id) AS items
