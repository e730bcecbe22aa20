-- Drawn key areas; campus buffers built from schools are rebuilt by the schools import.
SELECT kind, name AS "名称", ST_AsBinary(geom) AS wkb
FROM key_areas
WHERE school_id IS NULL
ORDER BY kind, name;
