-- Incidents within :radius metres of each rental house, by category and by month, for the
-- :limit_ houses with most incidents (GeoJSON features text) and how many houses have any.
-- {{houses}} / {{incidents}}: the filtered layers.
--
-- A fixed-radius join without one index probe per house: both sides are hashed into square
-- cells :cell metres wide (> :radius) on a local plane (:m_lon / :m_lat metres per degree at
-- the town's latitude), and each incident meets the houses of its own and the 8 surrounding
-- cells — a hash join in one pass, whatever the number of houses. The distance is then
-- measured with the degree lengths of the WGS84 ellipsoid at the house's latitude (exact to
-- centimetres at these ranges).
WITH h AS (
    -- The house's own degree lengths, once per house (OFFSET 0: not re-derived per pair).
    SELECT t.fid, ST_X(t.geom) AS lon, ST_Y(t.geom) AS lat,
           floor(ST_X(t.geom) * :m_lon / :cell)::int AS gx,
           floor(ST_Y(t.geom) * :m_lat / :cell)::int AS gy,
           111412.84 * cos(radians(ST_Y(t.geom))) - 93.5 * cos(radians(3 * ST_Y(t.geom)))
               + 0.118 * cos(radians(5 * ST_Y(t.geom))) AS m_lon,
           111132.954 - 559.822 * cos(radians(2 * ST_Y(t.geom)))
               + 1.175 * cos(radians(4 * ST_Y(t.geom))) AS m_lat
    FROM {{houses}}
    OFFSET 0
),
i AS (
    SELECT t.category, t.occurred_on, ST_X(t.geom) AS lon, ST_Y(t.geom) AS lat,
           floor(ST_X(t.geom) * :m_lon / :cell)::int AS gx,
           floor(ST_Y(t.geom) * :m_lat / :cell)::int AS gy
    FROM {{incidents}}
),
near AS (
    SELECT i.category, i.occurred_on, h.fid AS house_id,
           sqrt(power((i.lon - h.lon) * h.m_lon, 2) + power((i.lat - h.lat) * h.m_lat, 2)) AS dist
    FROM i
    CROSS JOIN (VALUES (-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 0), (0, 1),
                       (1, -1), (1, 0), (1, 1)) AS d(dx, dy)
    JOIN h ON h.gx = i.gx + d.dx AND h.gy = i.gy + d.dy
),
by_group AS (
    SELECT house_id, category, date_trunc('month', occurred_on)::date AS month,
           count(*) AS n, min(dist) AS nearest
    FROM near
    WHERE dist <= :radius
    GROUP BY house_id, category, month
),
per_house AS (
    SELECT house_id, sum(n)::int AS incidents, min(nearest) AS nearest,
           array_agg(category) AS categories, array_agg(month) AS months, array_agg(n) AS ns
    FROM by_group
    GROUP BY house_id
),
ranked AS (
    SELECT p.*, count(*) OVER () AS matched
    FROM per_house p
    ORDER BY p.incidents DESC, p.house_id
    LIMIT :limit_
)
SELECT coalesce(json_agg(json_build_object(
           'type', 'Feature',
           'id', r.house_id,
           'geometry', ST_AsGeoJSON(ho.geom, 6)::json,
           'properties', json_build_object(
               'house_id', r.house_id, 'house_code', ho.house_code, 'unit_id', ho.unit_id,
               'incidents', r.incidents, 'nearest_m', round(r.nearest::numeric, 1),
               'by_category', (SELECT json_object_agg(c, k ORDER BY c)
                               FROM (SELECT c, sum(n) AS k FROM unnest(r.categories, r.ns) u(c, n)
                                     GROUP BY c) s),
               'by_month', (SELECT json_object_agg(to_char(m, 'YYYY-MM'), k ORDER BY m)
                            FROM (SELECT m, sum(n) AS k FROM unnest(r.months, r.ns) u(m, n)
                                  GROUP BY m) s))
       ) ORDER BY r.incidents DESC, r.house_id), '[]'::json)::text,
       coalesce(max(r.matched), 0)
FROM ranked r
JOIN houses ho ON ho.id = r.house_id
