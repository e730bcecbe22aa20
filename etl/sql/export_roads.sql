SELECT name AS "名称", road_class AS "等级", oneway AS "单行", speed_kmh AS "限速",
       ST_AsBinary(geom) AS wkb
FROM roads
ORDER BY id;
