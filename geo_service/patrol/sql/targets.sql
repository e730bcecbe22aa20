-- Review-phase (回头看) targets as of :as_of, one row per house: why it is chosen (kinds) and
-- every hazard to verify there. A hazard counts when found on or before the day, in the scope
-- ({{house_scope}} on its house h as recorded that day, {{hazard_scope}} on its state z); its state that day is the
-- database's (open = not rectified by then; overdue as the rule says). Kinds:
--   catastrophic_hazard  open major hazard of a fire/explosion/collapse category (SPEC §4.4)
--   overdue              hazard overdue on the day (SPEC §3.3)
--   unverified_fix       catastrophic major hazard rectified by the day, not verified by then
--   key_area             house in a key area whose risk score reaches the threshold: the
--                        analytics risk ranking, passed in as :risk_ids / :risk_scores
--   listed               named in :house_ids
WITH hz AS (
    SELECT z.id, z.house_id, z.hazard_code, z.category, c.label_zh, z.severity, z.due_on,
           z.verified_on, c.catastrophic, NOT z.rectified AS is_open, z.overdue,
           z.days_overdue
    FROM hazard_state(CAST(:as_of AS date)) z
    JOIN hazard_categories c ON c.code = z.category
    JOIN house_state(CAST(:as_of AS date)) h ON h.id = z.house_id
    WHERE {{hazard_scope}} AND {{house_scope}}
),
flags AS (
    SELECT hz.*,
           is_open AND severity = 'major' AND catastrophic AS is_catastrophic,
           overdue AS is_overdue,
           CAST(:include_unverified AS boolean) AND NOT is_open AND severity = 'major'
               AND catastrophic
               AND (verified_on IS NULL OR verified_on > CAST(:as_of AS date))
               AS is_unverified_fix
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
               'overdue_days', CASE WHEN is_overdue THEN days_overdue ELSE 0 END,
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
