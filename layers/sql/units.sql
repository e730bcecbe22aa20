-- 村（社区）边界: villages and communities (departments have no territory of their own), with a
-- point inside each boundary for its label.
SELECT u.id AS fid, u.name, u.kind,
       round(ST_X(ST_PointOnSurface(u.geom))::numeric, 6) AS label_lon,
       round(ST_Y(ST_PointOnSurface(u.geom))::numeric, 6) AS label_lat,
       u.geom
FROM units u
WHERE u.kind IN ('village', 'community')
