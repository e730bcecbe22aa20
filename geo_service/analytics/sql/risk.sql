-- Per-house risk score as of D, computed live: raw factor values and points (weight ×
-- min(value, cap)). Weights come from risk_weights.toml as bound parameters; only the top
-- :limit houses (with score >= :min_score when given) return. Today's town-wide ranking is
-- also kept in the table risk_ranking (risk_refresh_*.sql, served by risk_served.sql).
WITH hs AS (
    -- @include _house_scope.sql
), zs AS (
    -- @include _hazards.sql
),
-- @include _risk_base.sql
, inc AS (
    -- Incidents within :radius_m in the window, counted only up to the cap (dense hot spots
    -- would otherwise pair every house with hundreds of incidents): counts only, through a
    -- SECURITY DEFINER function, so roles that may not read incident records still get the
    -- factor (docs/access.md). Inside, the geometry box uses the GiST index; the spheroid
    -- test is exact.
    SELECT * FROM incident_counts_near(
        ARRAY(SELECT id FROM hs), CAST(:radius_m AS float8), CAST(:radius_deg AS float8),
        CAST(:incidents_since AS date), CAST(:as_of AS date), CAST(:incidents_limit AS bigint)
    )
), raw AS (
    SELECT base.*, coalesce(inc.incidents, 0) AS v_incidents
    FROM base
    LEFT JOIN inc ON inc.house_id = base.id
),
-- @include _risk_points.sql
SELECT * FROM (
    SELECT total.*, count(*) OVER () AS houses_scored
    FROM total
) t
WHERE CAST(:min_score AS float8) IS NULL OR score >= CAST(:min_score AS float8)
ORDER BY score DESC, house_code
LIMIT CAST(:limit AS integer)
