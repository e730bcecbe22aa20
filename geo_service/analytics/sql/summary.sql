-- The campaign's headline counts (the map's dashboard) on D (:as_of) and on an earlier day
-- (:before): the houses on D as recorded that day under the house filters ({{house_scope}}; houses without a point count
-- too: a missing location does not make a house or its hazards go away) and, for each day, the
-- hazards in scope found by then, by their state that day.
WITH now_ AS (
    SELECT count(*) AS found,
           count(*) FILTER (WHERE NOT z.rectified) AS open,
           count(*) FILTER (WHERE z.overdue) AS overdue,
           count(*) FILTER (WHERE NOT z.rectified AND z.severity = 'major') AS major_open,
           count(*) FILTER (WHERE z.rectified) AS rectified
    FROM hazard_state(CAST(:as_of AS date)) z
    WHERE {{hazard_scope}} AND {{hazard_houses}}
), before_ AS (
    SELECT count(*) AS found,
           count(*) FILTER (WHERE NOT z.rectified) AS open,
           count(*) FILTER (WHERE z.overdue) AS overdue,
           count(*) FILTER (WHERE NOT z.rectified AND z.severity = 'major') AS major_open,
           count(*) FILTER (WHERE z.rectified) AS rectified
    FROM hazard_state(CAST(:before AS date)) z
    WHERE {{hazard_scope}} AND {{hazard_houses_before}}
)
SELECT (SELECT count(*) FROM house_state(CAST(:as_of AS date)) h WHERE {{house_scope}}) AS houses,
       to_jsonb(now_) AS now, to_jsonb(before_) AS before
FROM now_, before_
