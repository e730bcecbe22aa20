-- Choropleth per village/community (GeoJSON text) summed from the event ledger
-- (docs/ledger.md): the same answer as unit_density.sql, each count the sum of its dated deltas
-- up to :as_of. {{ledger_hazards}} is the wide table (severity gives `major`),
-- {{ledger_hazard_scope}} the hazard filters and {{ledger_house_scope}} the unit and key-area
-- filters on a ledger row (alias l), {{unit_scope}} the unit filter on the units listed.
WITH hz AS (
    SELECT l.unit_id, CAST(sum(l.n) AS bigint) AS hazards,
           CAST(sum(l.n) FILTER (WHERE l.status = 'open') AS bigint) AS open,
           CAST(sum(l.n) FILTER (WHERE l.status = 'overdue') AS bigint) AS overdue,
           CAST(sum(l.n) FILTER (WHERE l.status = 'rectified') AS bigint) AS rectified,
           CAST(sum(l.n) FILTER (WHERE l.severity = 'major') AS bigint) AS major
    FROM {{ledger_hazards}} l
    WHERE l.day <= CAST(:as_of AS date) AND {{ledger_house_scope}} AND {{ledger_hazard_scope}}
    GROUP BY l.unit_id
),
ho AS (
    SELECT l.unit_id, CAST(sum(l.houses) AS bigint) AS houses
    FROM ledger_houses l
    WHERE l.day <= CAST(:as_of AS date) AND {{ledger_house_scope}}
    GROUP BY l.unit_id
)
-- @include _unit_density_features.sql
FROM units u
LEFT JOIN hz ON hz.unit_id = u.id
LEFT JOIN ho ON ho.unit_id = u.id
WHERE u.kind IN ('village', 'community') AND {{unit_scope}}
