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
SELECT coalesce(json_agg(json_build_object(
           'type', 'Feature',
           'id', u.id,
           'geometry', ST_AsGeoJSON(u.geom, 6)::json,
           'properties', json_build_object(
               'unit_id', u.id, 'name', u.name, 'kind', u.kind,
               'houses', coalesce(ho.houses, 0),
               'hazards', coalesce(hz.hazards, 0),
               'open', coalesce(hz.open, 0),
               'overdue', coalesce(hz.overdue, 0),
               'rectified', coalesce(hz.rectified, 0),
               'major', coalesce(hz.major, 0),
               'hazards_per_100_houses',
                   round(100.0 * coalesce(hz.hazards, 0) / nullif(ho.houses, 0), 1),
               'unrectified_per_100_houses',
                   round(100.0 * (coalesce(hz.open, 0) + coalesce(hz.overdue, 0))
                         / nullif(ho.houses, 0), 1),
               'overdue_per_100_houses',
                   round(100.0 * coalesce(hz.overdue, 0) / nullif(ho.houses, 0), 1))
       ) ORDER BY u.id), '[]'::json)::text
FROM units u
LEFT JOIN hz ON hz.unit_id = u.id
LEFT JOIN ho ON ho.unit_id = u.id
WHERE u.kind IN ('village', 'community') AND {{unit_scope}}
