SELECT name AS "单位名称",
       CASE kind WHEN 'village' THEN '村' WHEN 'community' THEN '社区' END AS "单位类型",
       ST_AsBinary(geom) AS wkb
FROM units
WHERE geom IS NOT NULL AND kind <> 'department'
ORDER BY name;
