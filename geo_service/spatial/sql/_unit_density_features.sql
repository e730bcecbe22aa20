-- The choropleth's features per village/community from the CTEs hz (hazards by state and
-- severity) and ho (houses): the one output of unit_density.sql and unit_density_ledger.sql.
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
