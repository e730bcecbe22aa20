-- Choropleth per village/community (GeoJSON text), counted directly: houses as recorded on
-- :as_of under the house filters ({{houses}}: unit, key areas); hazards found by :as_of under
-- the hazard filters ({{hazards}}, without unit and key areas), by state and severity, counted
-- while their house exists on :as_of, in its unit then (as the ledger, docs/ledger.md;
-- unit_density_ledger.sql answers the same from it); rates per 100 houses to one decimal (NULL
-- when the unit has no house). Houses without a point still count.
WITH ho AS NOT MATERIALIZED (
    SELECT t.fid, t.unit_id FROM {{houses}}
),
hz AS (
    SELECT ho.unit_id, count(*) AS hazards,
           count(*) FILTER (WHERE z.status = 'open') AS open,
           count(*) FILTER (WHERE z.status = 'overdue') AS overdue,
           count(*) FILTER (WHERE z.status = 'rectified') AS rectified,
           count(*) FILTER (WHERE z.severity = 'major') AS major
    FROM (SELECT t.house_id, t.status, t.severity FROM {{hazards}}) z
    JOIN ho ON ho.fid = z.house_id
    GROUP BY ho.unit_id
),
hc AS (
    SELECT unit_id, count(*) AS houses FROM ho GROUP BY unit_id
)
-- @include _unit_density_features.sql
FROM units u
LEFT JOIN hz ON hz.unit_id = u.id
LEFT JOIN hc ho ON ho.unit_id = u.id
WHERE u.kind IN ('village', 'community') {{unit_filter}}
