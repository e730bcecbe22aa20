-- Per-house risk score as of D: raw factor values and points (weight × min(value, cap)).
-- Weights come from risk_weights.toml as bound parameters; only the top :limit houses (with
-- score >= :min_score when given) return.
WITH hs AS (
    -- @include _house_scope.sql
), zs AS (
    -- @include _hazards.sql
), hz AS (
    SELECT house_id,
           count(*) FILTER (WHERE severity = 'major' AND NOT rectified) AS open_major,
           count(*) FILTER (WHERE overdue) AS overdue,
           bool_or(category = 'dangerous_house' AND NOT rectified) AS dangerous
    FROM zs
    GROUP BY house_id
), ka AS (
    SELECT hs.id AS house_id,
           array_agg(DISTINCT k.kind ORDER BY k.kind) AS kinds,
           sum(w.weight) AS weight
    FROM hs
    JOIN key_areas k ON ST_Intersects(k.geom, hs.geom)
    JOIN unnest(CAST(:ka_kinds AS text[]), CAST(:ka_weights AS float8[])) AS w(kind, weight)
      ON w.kind = k.kind
    GROUP BY hs.id
), raw AS (
    SELECT hs.id, hs.house_code, hs.unit_name, hs.address,
           ST_X(hs.geom) AS lon, ST_Y(hs.geom) AS lat,
           coalesce(hz.open_major, 0) AS v_open_major_hazards,
           coalesce(hz.overdue, 0) AS v_overdue_hazards,
           CASE WHEN hs.cctv_violation IS NULL THEN 0 ELSE 1 END AS v_cctv_violation,
           (CASE WHEN hs.has_smoke_masks IS FALSE THEN 1 ELSE 0 END
            + CASE WHEN hs.has_torches IS FALSE THEN 1 ELSE 0 END
            + CASE WHEN hs.has_extinguishers IS FALSE THEN 1 ELSE 0 END) AS v_fire_kit_missing,
           coalesce(ka.weight, 0) AS p_key_area, coalesce(ka.kinds, '{}') AS key_area_kinds,
           CASE WHEN hs.is_self_built THEN 1 ELSE 0 END AS v_self_built,
           CASE WHEN hz.dangerous THEN 1 ELSE 0 END AS v_dangerous_house,
           hs.tenants - hs.registered_tenants AS v_tenant_gap,
           coalesce(inc.incidents, 0) AS v_incidents,
           hs.electricity_kwh_month AS kwh,
           CAST(:kwh_base AS float8) + CAST(:kwh_per_tenant AS float8) * hs.registered_tenants
               AS kwh_expected
    FROM hs
    LEFT JOIN hz ON hz.house_id = hs.id
    LEFT JOIN ka ON ka.house_id = hs.id
    -- Incidents within :radius_m in the window, counted only up to the cap (dense hot spots
    -- would otherwise pair every house with hundreds of incidents): counts only, through a
    -- SECURITY DEFINER function, so roles that may not read incident records still get the
    -- factor (docs/access.md). Inside, the geometry box uses the GiST index; the spheroid
    -- test is exact.
    LEFT JOIN incident_counts_near(
        ARRAY(SELECT id FROM hs), CAST(:radius_m AS float8), CAST(:radius_deg AS float8),
        CAST(:incidents_since AS date), CAST(:as_of AS date), CAST(:incidents_limit AS bigint)
    ) inc ON inc.house_id = hs.id
),
-- @include _risk_points.sql
SELECT * FROM (
    SELECT total.*, count(*) OVER () AS houses_scored
    FROM total
) t
WHERE CAST(:min_score AS float8) IS NULL OR score >= CAST(:min_score AS float8)
ORDER BY score DESC, house_code
LIMIT CAST(:limit AS integer)
