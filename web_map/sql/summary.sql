-- Counts for the dashboard under the map's filters, on :as_of (now_*) and on :before (before_*,
-- a month earlier), in one scan of the hazards. Houses without a point still count: a missing
-- location does not make a hazard go away. With no house filter, the house condition folds away.
-- open = not rectified by the day; overdue = open and the day past the deadline.
WITH z AS (
    SELECT z.severity, z.found_on,
           z.found_on <= :before AS seen_before,
           coalesce(z.rectified_on <= :as_of, false) AS fixed_now,
           coalesce(z.rectified_on <= :before, false) AS fixed_before,
           CAST(:as_of AS date) > z.due_on AS late_now,
           CAST(:before AS date) > z.due_on AS late_before
    FROM hazards z
    WHERE z.found_on <= :as_of AND /*hazard_scope*/
      AND ((CAST(:unit_id AS integer[]) IS NULL AND CAST(:key_area_kind AS text[]) IS NULL)
           OR EXISTS (SELECT 1 FROM houses h WHERE h.id = z.house_id AND /*house_scope*/))
)
SELECT (SELECT count(*) FROM houses h WHERE /*house_scope*/) AS houses,
       count(*) AS now_found,
       count(*) FILTER (WHERE NOT fixed_now) AS now_open,
       count(*) FILTER (WHERE NOT fixed_now AND late_now) AS now_overdue,
       count(*) FILTER (WHERE NOT fixed_now AND severity = 'major') AS now_major_open,
       count(*) FILTER (WHERE fixed_now) AS now_rectified,
       count(*) FILTER (WHERE seen_before) AS before_found,
       count(*) FILTER (WHERE seen_before AND NOT fixed_before) AS before_open,
       count(*) FILTER (WHERE seen_before AND NOT fixed_before AND late_before) AS before_overdue,
       count(*) FILTER (WHERE seen_before AND NOT fixed_before AND severity = 'major')
           AS before_major_open,
       count(*) FILTER (WHERE seen_before AND fixed_before) AS before_rectified
FROM z
