-- Heat points for a map zoom: the houses' points (_heat_houses.sql) summed per square cell of
-- :cell Web Mercator units (a few screen pixels at that zoom, density.HEAT_CELL_PX), one point
-- per non-empty cell at the weight-centred position of its houses (the plain centre when every
-- weight is 0), so a cell of one house keeps that house's place. The answer is bounded by the
-- view's pixels, not by the number of houses; heat drawn from it looks the same at that zoom.
-- house_id: the cell's lowest house id (a stable order for ties); houses: how many.
SELECT {{output}}
FROM (
    SELECT min(p.house_id) AS house_id,
           ST_SetSRID(ST_MakePoint(
               coalesce(sum(p.weight * p.lon) / nullif(sum(p.weight), 0), avg(p.lon)),
               coalesce(sum(p.weight * p.lat) / nullif(sum(p.weight), 0), avg(p.lat))),
               4326) AS geom,
           sum(p.hazards) AS hazards, count(*) AS houses, sum(p.weight) AS weight
    FROM (
        -- @include _heat_houses.sql
    ) p
    GROUP BY floor(6378137.0::float8 * radians(p.lon) / CAST(:cell AS float8)),
             floor(6378137.0::float8 * ln(tan(pi() / 4 + radians(p.lat) / 2))
                   / CAST(:cell AS float8))
) s
