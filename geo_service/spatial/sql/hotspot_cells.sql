-- Incident counts on every hexagon of the study area, zeros included (Gi* needs them): the
-- grid ST_HexagonGrid(:size) in :srid (Web Mercator) over the villages and communities
-- ({{unit_filter}} narrows them), or around the incidents when no unit has a boundary.
-- {{counts}}: (i, j, n) of the filtered incidents, the same (i, j) as the grid (hotspot_access.py:
-- binned here by arithmetic, or counted by incident_hex_counts() for roles that may not read
-- incidents); {{incident_area}}: the incidents' extent in :srid, for a town without boundaries.
WITH area AS (
    SELECT coalesce(
        (SELECT ST_Union(ST_Transform(u.geom, :srid)) FROM units u
         WHERE u.kind IN ('village', 'community') AND u.geom IS NOT NULL {{unit_filter}}),
        {{incident_area}}
    ) AS g
),
grid AS (
    SELECT h.i, h.j, h.geom
    FROM area, ST_HexagonGrid(:size, area.g) h
    WHERE ST_Intersects(h.geom, area.g)
),
counts AS (
    {{counts}}
)
SELECT g.i, g.j, coalesce(c.n, 0) AS n, ST_AsGeoJSON(ST_Transform(g.geom, 4326), 6) AS geometry
FROM grid g
LEFT JOIN counts c ON c.i = g.i AND c.j = g.j
ORDER BY g.i, g.j
