-- Refresh, step 4: the table made equal to risk_new, writing only what changed — after an
-- import most houses keep their score, so a refresh rewrites a few rows, not the town.
DELETE FROM risk_ranking r
WHERE r.method = :method
  AND NOT EXISTS (SELECT 1 FROM risk_new n
                  WHERE n.audience = r.audience AND n.house_id = r.house_id);
UPDATE risk_ranking r
SET house_code = n.house_code, score = n.score, factors = n.factors
FROM risk_new n
WHERE r.method = :method AND r.audience = n.audience AND r.house_id = n.house_id
  AND (r.house_code, r.score, r.factors) IS DISTINCT FROM (n.house_code, n.score, n.factors);
INSERT INTO risk_ranking (method, audience, house_id, house_code, score, factors)
SELECT :method, n.audience, n.house_id, n.house_code, n.score, n.factors
FROM risk_new n
WHERE NOT EXISTS (SELECT 1 FROM risk_ranking r
                  WHERE r.method = :method AND r.audience = n.audience
                    AND r.house_id = n.house_id)
