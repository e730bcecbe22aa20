-- The hand weights (risk_weights.toml) scored for every past inspection as they would have
-- ranked its house the evening before: risk.sql's factors as of d − 1 for each event day d,
-- and its points (_risk_points.sql, the one formula). For the back-test, run by the owner
-- (incidents counted exactly within the weights' radius, as the ranking counts them for the
-- police).
WITH hist AS (
    -- @include _outcomes.sql
), ev AS (
    -- @include _events_inspections.sql
),
-- @include _event_base.sql
, ka AS (
    SELECT kh.house_id, sum(w.weight) AS weight
    FROM kh
    CROSS JOIN LATERAL unnest(kh.kinds) AS k(kind)
    JOIN unnest(CAST(:ka_kinds AS text[]), CAST(:ka_weights AS float8[])) AS w(kind, weight)
      ON w.kind = k.kind
    GROUP BY kh.house_id
), raw AS (
    SELECT hv.event_id,
           coalesce(hz.open_major, 0) AS v_open_major_hazards,
           coalesce(hz.overdue, 0) AS v_overdue_hazards,
           CASE WHEN hv.cctv_violation THEN 1 ELSE 0 END AS v_cctv_violation,
           (CASE WHEN hv.has_smoke_masks IS FALSE THEN 1 ELSE 0 END
            + CASE WHEN hv.has_torches IS FALSE THEN 1 ELSE 0 END
            + CASE WHEN hv.has_extinguishers IS FALSE THEN 1 ELSE 0 END) AS v_fire_kit_missing,
           coalesce(ka.weight, 0) AS p_key_area,
           CASE WHEN hv.is_self_built THEN 1 ELSE 0 END AS v_self_built,
           CASE WHEN hz.dangerous THEN 1 ELSE 0 END AS v_dangerous_house,
           hv.tenants - hv.registered_tenants AS v_tenant_gap,
           coalesce(inc.n, 0) AS v_incidents,
           hv.electricity_kwh_month AS kwh,
           CAST(:kwh_base AS float8) + CAST(:kwh_per_tenant AS float8) * hv.registered_tenants
               AS kwh_expected
    FROM hv
    LEFT JOIN hz ON hz.event_id = hv.event_id
    LEFT JOIN ka ON ka.house_id = hv.house_id
    CROSS JOIN LATERAL (
        SELECT count(*) AS n FROM (
            SELECT 1 FROM incidents i
            WHERE ST_DWithin(i.geom, hv.geom, CAST(:radius_deg AS float8))
              AND ST_DWithin(CAST(i.geom AS geography), CAST(hv.geom AS geography),
                             CAST(:radius_m AS float8))
              AND i.occurred_at >= hv.day - CAST(:incident_days AS integer)
              AND i.occurred_at < hv.day
            LIMIT CAST(:incidents_limit AS bigint)) x
    ) inc
),
-- @include geo_service.analytics:sql/_risk_points.sql
SELECT event_id, score FROM total ORDER BY event_id
