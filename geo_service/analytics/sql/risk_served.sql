-- The maintained ranking, read: the top :limit houses of the scope's houses
-- ({{house_scope}} on h: unit, key-area and bbox filters) in the town-wide order, from the
-- rows of one method and audience (score >= :min_score when given). The factors of an
-- 'exact' or 'coarse' row add to those of the house's 'none' row (risk_refresh_write.sql).
SELECT h.house_code, u.name AS unit_name, h.address,
       ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat, r.score,
       CASE WHEN r.audience = 'none' THEN r.factors
            ELSE coalesce(n.factors, '{}') || r.factors END AS factors
FROM risk_ranking r
JOIN houses h ON h.id = r.house_id
JOIN units u ON u.id = h.unit_id
LEFT JOIN risk_ranking n
  ON n.method = r.method AND n.audience = 'none' AND n.house_id = r.house_id
WHERE r.method = :method AND r.audience = :audience
  AND {{house_scope}}
  AND (CAST(:min_score AS float8) IS NULL OR r.score >= CAST(:min_score AS float8))
ORDER BY r.score DESC, r.house_code
LIMIT CAST(:limit AS integer)
