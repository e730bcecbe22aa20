SELECT name AS "名称", ST_AsBinary(geom) AS wkb FROM schools ORDER BY name;
