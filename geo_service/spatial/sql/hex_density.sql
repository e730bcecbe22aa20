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
    -- grouped by the one bigint `cell`; i and j are taken from the groups, not from every row
    SELECT (cell >> 32)::int AS i, ((cell << 32) >> 32)::int AS j, count(*) AS n {{aggregates}}
    FROM binned
    GROUP BY cell
) c
