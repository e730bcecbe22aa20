-- Counts per hexagon of the filtered layer's points, as GeoJSON features (text), densest first.
-- {{source}}: the filtered layer (`(<layer SELECT>) t WHERE …`); {{columns}}: the extra
-- columns the aggregates read; {{aggregates}} / {{props}}: `count(*) FILTER (…) AS name` and
-- their JSON members.
WITH binned AS (
    -- @include hex_bin.sql
)
SELECT coalesce(json_agg(json_build_object(
           'type', 'Feature',
           'id', c.i || ',' || c.j,
           'geometry', ST_AsGeoJSON(ST_Transform(
               ST_Hexagon(:size, c.i, c.j, ST_SetSRID(ST_MakePoint(0, 0), :srid)), 4326), 6)::json,
           'properties', json_build_object('i', c.i, 'j', c.j, 'count', c.n {{props}})
       ) ORDER BY c.n DESC, c.i, c.j), '[]'::json)::text
FROM (
    SELECT i, j, count(*) AS n {{aggregates}}
    FROM binned
    GROUP BY i, j
) c
