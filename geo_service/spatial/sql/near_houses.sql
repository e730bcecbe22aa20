-- Incidents within :radius metres (on the spheroid) of each rental house, by category and by
-- month. The join first tests the incidents' GiST index with a lon/lat box that surely holds
-- the circle (:m_per_deg is below the length of a degree anywhere), then the exact distance.
-- {{houses}} / {{incidents}}: the filtered layers. One row: the features (text) of the
-- :limit_ houses with most incidents, and how many houses have any.
WITH h AS (
    SELECT t.fid, t.house_code, t.unit_id, t.geom FROM {{houses}}
),
i AS (
    SELECT t.fid, t.category, t.occurred_on, t.geom FROM {{incidents}}
),
pairs AS (
    SELECT h.fid AS house_id, i.category, to_char(i.occurred_on, 'YYYY-MM') AS month,
           ST_Distance(h.geom::geography, i.geom::geography) AS dist
    FROM h
    JOIN i
      ON i.geom && ST_Expand(h.geom,
                             :radius / (:m_per_deg * cos(radians(ST_Y(h.geom)))),
                             :radius / :m_per_deg)
     AND ST_DWithin(h.geom::geography, i.geom::geography, :radius)
),
per_house AS (
    SELECT house_id, count(*) AS incidents, min(dist) AS nearest FROM pairs GROUP BY house_id
),
by_category AS (
    SELECT house_id, json_object_agg(category, n ORDER BY category) AS counts
    FROM (SELECT house_id, category, count(*) AS n FROM pairs GROUP BY 1, 2) s
    GROUP BY house_id
),
by_month AS (
    SELECT house_id, json_object_agg(month, n ORDER BY month) AS counts
    FROM (SELECT house_id, month, count(*) AS n FROM pairs GROUP BY 1, 2) s
    GROUP BY house_id
),
ranked AS (
    SELECT p.house_id, p.incidents, p.nearest, count(*) OVER () AS matched
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
               'by_category', c.counts, 'by_month', m.counts)
       ) ORDER BY r.incidents DESC, r.house_id), '[]'::json)::text,
       coalesce(max(r.matched), 0)
FROM ranked r
JOIN houses ho ON ho.id = r.house_id
JOIN by_category c ON c.house_id = r.house_id
JOIN by_month m ON m.house_id = r.house_id
