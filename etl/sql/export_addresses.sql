SELECT a.full_address AS "地址", u.name AS "所属单位", ST_AsBinary(a.geom) AS wkb
FROM addresses a
LEFT JOIN units u ON u.id = a.unit_id
ORDER BY a.normalized;
