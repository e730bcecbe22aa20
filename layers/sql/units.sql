-- 村（社区）边界: villages and communities (departments have no territory of their own).
SELECT u.id AS fid, u.name, u.kind, u.geom
FROM units u
WHERE u.kind IN ('village', 'community')
