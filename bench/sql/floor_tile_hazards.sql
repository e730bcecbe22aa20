-- The floor for a hazards tile: hazards as they stood on the as-of date, at their house's point.
SELECT ST_AsMVT(q, 'hazards', 4096, 'geom', 'fid') FROM (
    SELECT hz.id AS fid, hz.hazard_code, hz.house_id, h.house_code, h.unit_id, hz.category,
           c.label_zh AS category_zh, c.group_code AS category_group, hz.severity,
           hz.found_on::text AS found_on, hz.due_on::text AS due_on,
           (CASE WHEN hz.rectified_on <= %(as_of)s THEN hz.rectified_on END)::text AS rectified_on,
           CASE WHEN hz.rectified_on <= %(as_of)s THEN 'rectified'
                WHEN %(as_of)s > hz.due_on THEN 'overdue' ELSE 'open' END AS status,
           ST_AsMVTGeom(ST_Transform(h.geom, 3857), ST_TileEnvelope(%(z)s, %(x)s, %(y)s),
                        4096, 64, true) AS geom
    FROM houses h
    JOIN hazards hz ON hz.house_id = h.id
    JOIN hazard_categories c ON c.code = hz.category
    WHERE h.geom && ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s), 4326)
      AND hz.found_on <= %(as_of)s
    LIMIT %(limit)s
) q
