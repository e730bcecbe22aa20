-- Review-phase (回头看) targets as of :d, one row per house: why it is chosen (kinds) and every
-- hazard to verify there, each in its state on :d as hazard_state() defines it (found on or
-- before :d; a rectification dated after :d has not happened yet on :d, SPEC §6). Kinds:
--   catastrophic_hazard  open major hazard of a fire/explosion/collapse category (SPEC §4.4)
--   overdue              open hazard past its deadline on :d (hazard_state(), SPEC §3.3)
--   unverified_fix       catastrophic major hazard rectified by :d, not verified by :d
--   key_area             house in a key area whose risk score reaches the threshold: the
--                        analytics risk ranking, passed in as :risk_ids / :risk_scores
--   listed               named in :house_ids
WITH hz AS (
    SELECT h.id, h.house_id, h.hazard_code, h.category, c.label_zh, h.severity, h.due_on,
           h.verified_on, c.catastrophic, NOT h.rectified AS is_open, h.overdue AS is_overdue,
           h.days_overdue
    FROM hazard_state(CAST(:d AS date)) h
    JOIN hazard_categories c ON c.code = h.category
),
flags AS (
    SELECT hz.*,
           is_open AND severity = 'major' AND catastrophic AS is_catastrophic,
           CAST(:include_unverified AS boolean) AND NOT is_open AND severity = 'major'
               AND catastrophic
               AND (verified_on IS NULL OR verified_on > CAST(:d AS date)) AS is_unverified_fix
    FROM hz
),
house_hz AS (
    SELECT house_id,
           count(*) FILTER (WHERE is_open AND severity = 'major') AS open_major,
           count(*) FILTER (WHERE is_open AND severity <> 'major') AS open_other
    FROM flags
    GROUP BY house_id
),
in_key_area AS (
    SELECT ho.id AS house_id, array_agg(DISTINCT ka.name ORDER BY ka.name) AS areas
    FROM houses ho
    JOIN key_areas ka ON ST_Intersects(ka.geom, ho.geom)
    GROUP BY ho.id
),
risk AS (
    SELECT *
    FROM unnest(CAST(:risk_ids AS int[]), CAST(:risk_scores AS float8[])) AS r(house_id, score)
),
chosen AS (
    SELECT house_id, 'catastrophic_hazard' AS kind FROM flags WHERE is_catastrophic
    UNION SELECT house_id, 'overdue' FROM flags WHERE is_overdue
    UNION SELECT house_id, 'unverified_fix' FROM flags WHERE is_unverified_fix
    UNION SELECT house_id, 'key_area' FROM risk
    UNION SELECT unnest(CAST(:house_ids AS int[])), 'listed'
),
verify AS (
    SELECT house_id,
           jsonb_agg(jsonb_build_object(
               'id', id, 'code', hazard_code, 'category', category, 'label_zh', label_zh,
               'severity', severity, 'due_on', due_on, 'open', is_open,
               'overdue_days', days_overdue,
               'catastrophic', catastrophic)
               ORDER BY severity = 'major' DESC, due_on, id) AS hazards
    FROM flags
    WHERE is_open OR is_unverified_fix
    GROUP BY house_id
)
SELECT ho.id AS house_id, ho.house_code, ho.address, u.name AS unit_name,
       ST_X(ho.geom) AS lon, ST_Y(ho.geom) AS lat,
       array_agg(DISTINCT c.kind ORDER BY c.kind) AS kinds,
       coalesce(hh.open_major, 0) AS open_major,
       coalesce(hh.open_other, 0) AS open_other,
       r.score AS risk_score,
       k.areas AS key_areas,
       coalesce(v.hazards, '[]'::jsonb) AS hazards
FROM chosen c
JOIN houses ho ON ho.id = c.house_id
JOIN units u ON u.id = ho.unit_id
LEFT JOIN house_hz hh ON hh.house_id = ho.id
LEFT JOIN risk r ON r.house_id = ho.id
LEFT JOIN in_key_area k ON k.house_id = ho.id
LEFT JOIN verify v ON v.house_id = ho.id
GROUP BY ho.id, u.name, hh.open_major, hh.open_other, r.score, k.areas, v.hazards
ORDER BY ho.id
