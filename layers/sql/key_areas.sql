-- 重点区域 with the Chinese name of their kind.
SELECT k.id AS fid, k.name, k.kind,
       CASE k.kind
           WHEN 'urban_village' THEN '城中村'
           WHEN 'old_estate' THEN '老旧小区'
           WHEN 'resettlement_estate' THEN '拆迁安置小区'
           WHEN 'rural_self_built' THEN '农村自建房'
           WHEN 'campus' THEN '校园周边'
       END AS kind_zh,
       k.school_id, k.geom
FROM key_areas k
