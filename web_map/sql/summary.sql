-- Counts for the dashboard under the map's filters, on :as_of (now_*) and on :before (before_*,
-- a month earlier): each day's hazards in hazard_state()'s terms. Houses without a point still
-- count: a missing location does not make a hazard go away. With no house filter, the house
-- condition folds away. open = not rectified on the day.
WITH now_ AS (
    SELECT count(*) AS found,
           count(*) FILTER (WHERE NOT z.rectified) AS open,
           count(*) FILTER (WHERE z.overdue) AS overdue,
           count(*) FILTER (WHERE NOT z.rectified AND z.severity = 'major') AS major_open,
           count(*) FILTER (WHERE z.rectified) AS rectified
    FROM hazard_state(CAST(:as_of AS date)) z
    WHERE /*hazard_scope*/
      AND ((CAST(:unit_id AS integer[]) IS NULL AND CAST(:key_area_kind AS text[]) IS NULL)
           OR EXISTS (SELECT 1 FROM houses h WHERE h.id = z.house_id AND /*house_scope*/))
), before_ AS (
    SELECT count(*) AS found,
           count(*) FILTER (WHERE NOT z.rectified) AS open,
           count(*) FILTER (WHERE z.overdue) AS overdue,
           count(*) FILTER (WHERE NOT z.rectified AND z.severity = 'major') AS major_open,
           count(*) FILTER (WHERE z.rectified) AS rectified
    FROM hazard_state(CAST(:before AS date)) z
    WHERE /*hazard_scope*/
      AND ((CAST(:unit_id AS integer[]) IS NULL AND CAST(:key_area_kind AS text[]) IS NULL)
           OR EXISTS (SELECT 1 FROM houses h WHERE h.id = z.house_id AND /*house_scope*/))
)
SELECT (SELECT count(*) FROM houses h WHERE /*house_scope*/) AS houses,
       n.found AS now_found, n.open AS now_open, n.overdue AS now_overdue,
       n.major_open AS now_major_open, n.rectified AS now_rectified,
       b.found AS before_found, b.open AS before_open, b.overdue AS before_overdue,
       b.major_open AS before_major_open, b.rectified AS before_rectified
FROM now_ n, before_ b
