-- The campaign's headline counts on D (the map's dashboard): houses under the house filters
-- ({{house_scope}}; houses without a point count too: a missing location does not make a
-- house or its hazards go away) and their hazards found by D in the scope, by state on D.
WITH zs AS (
    -- @include _hazards.sql
)
SELECT (SELECT count(*) FROM houses h WHERE {{house_scope}}) AS houses,
       count(*) AS found,
       count(*) FILTER (WHERE NOT zs.rectified) AS open,
       count(*) FILTER (WHERE zs.overdue) AS overdue,
       count(*) FILTER (WHERE NOT zs.rectified AND zs.severity = 'major') AS major_open,
       count(*) FILTER (WHERE zs.rectified) AS rectified
FROM zs
WHERE {{hazard_houses}}
