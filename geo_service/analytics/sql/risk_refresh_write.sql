-- Refresh, step 3: points and score per house and audience (_risk_points.sql, as the live
-- ranking computes them), and the table made equal to them in the same statement, writing only
-- what changed: after an import most houses keep their score, so a refresh rewrites a few rows,
-- not the town (one pass over the new scores and the stored rows, a full join).
-- Factors keep only non-zero values and what the labels need (key-area kinds, kWh). All but the
-- incidents are the same for every audience, so a 'none' row holds them and an 'exact' or
-- 'coarse' row only what its audience adds (the incidents): risk_served.sql puts the two
-- together for the few rows it returns.
-- An incremental refresh scores only the touched houses (risk_refresh_touched.sql) and compares
-- them with their own stored rows only ({{old_houses}} on the stored rows): the other rows stay.
WITH raw AS (
    SELECT b.*, a.audience, coalesce(i.incidents, 0) AS v_incidents
    FROM risk_base b
    CROSS JOIN unnest(CAST(:audiences AS text[])) AS a(audience)
    LEFT JOIN risk_incidents i ON i.audience = a.audience AND i.house_id = b.id
),
-- @include _risk_points.sql
, new AS (
    SELECT audience, id AS house_id, house_code, score,
           CASE WHEN audience <> 'none' THEN jsonb_strip_nulls(jsonb_build_object(
                    'v_incidents', nullif(v_incidents, 0), 'p_incidents', nullif(p_incidents, 0)))
           ELSE jsonb_strip_nulls(jsonb_build_object(
               'v_open_major_hazards', nullif(v_open_major_hazards, 0),
               'v_overdue_hazards', nullif(v_overdue_hazards, 0),
               'v_cctv_violation', nullif(v_cctv_violation, 0),
               'v_fire_kit_missing', nullif(v_fire_kit_missing, 0),
               'v_self_built', nullif(v_self_built, 0),
               'v_dangerous_house', nullif(v_dangerous_house, 0),
               'v_tenant_gap', nullif(v_tenant_gap, 0),
               'v_electricity', nullif(v_electricity, 0),
               'p_open_major_hazards', nullif(p_open_major_hazards, 0),
               'p_overdue_hazards', nullif(p_overdue_hazards, 0),
               'p_cctv_violation', nullif(p_cctv_violation, 0),
               'p_fire_kit_missing', nullif(p_fire_kit_missing, 0),
               'p_key_area', nullif(p_key_area, 0),
               'p_self_built', nullif(p_self_built, 0),
               'p_dangerous_house', nullif(p_dangerous_house, 0),
               'p_tenant_gap', nullif(p_tenant_gap, 0),
               'p_electricity', nullif(p_electricity, 0),
               'key_area_kinds', nullif(key_area_kinds, '{}'),
               'kwh', kwh,
               'kwh_expected', CASE WHEN kwh IS NOT NULL THEN kwh_expected END))
           END AS factors
    FROM total
), old AS (
    SELECT audience, house_id, house_code, score, factors
    FROM risk_ranking
    WHERE method = :method AND {{old_houses}}
), diff AS MATERIALIZED (
    SELECT coalesce(n.audience, o.audience) AS audience,
           coalesce(n.house_id, o.house_id) AS house_id,
           n.house_code, n.score, n.factors,
           n.house_id IS NULL AS gone, o.house_id IS NULL AS added
    FROM new n
    FULL JOIN old o ON o.audience = n.audience AND o.house_id = n.house_id
    WHERE (n.house_code, n.score, n.factors) IS DISTINCT FROM (o.house_code, o.score, o.factors)
), del AS (
    DELETE FROM risk_ranking r
    USING diff d
    WHERE d.gone AND r.method = :method AND r.audience = d.audience
      AND r.house_id = d.house_id
    RETURNING 1
), upd AS (
    UPDATE risk_ranking r
    SET house_code = d.house_code, score = d.score, factors = d.factors
    FROM diff d
    WHERE NOT d.gone AND NOT d.added AND r.method = :method AND r.audience = d.audience
      AND r.house_id = d.house_id
    RETURNING 1
), ins AS (
    INSERT INTO risk_ranking (method, audience, house_id, house_code, score, factors)
    SELECT :method, audience, house_id, house_code, score, factors FROM diff WHERE added
    RETURNING 1
)
SELECT (SELECT count(*) FROM del) AS deleted, (SELECT count(*) FROM upd) AS updated,
       (SELECT count(*) FROM ins) AS inserted
