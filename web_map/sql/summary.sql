-- Counts for the dashboard as of :as_of under the map's filters (one row). Houses without a
-- point still count: a missing location does not make a hazard go away.
WITH h AS (
    SELECT h.id FROM houses h WHERE /*house_scope*/
), z AS (
    SELECT z.severity,
           (z.rectified_on IS NOT NULL AND z.rectified_on <= :as_of) AS rectified,
           :as_of > z.due_on AS past_due
    FROM hazards z
    JOIN h ON h.id = z.house_id
    WHERE z.found_on <= :as_of AND /*hazard_scope*/
)
SELECT (SELECT count(*) FROM h) AS houses,
       count(*) AS found,
       count(*) FILTER (WHERE NOT rectified) AS open,
       count(*) FILTER (WHERE NOT rectified AND past_due) AS overdue,
       count(*) FILTER (WHERE NOT rectified AND severity = 'major') AS major_open,
       count(*) FILTER (WHERE rectified) AS rectified
FROM z
