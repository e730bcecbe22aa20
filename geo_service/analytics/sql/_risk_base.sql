-- The risk factors that do not depend on who asks (CTEs after `hs` and `zs`: hz, ka, base):
-- every factor of risk_weights.toml but the incidents, per house in scope as of D. Shared by
-- the live ranking (risk.sql) and the maintained table's refresh (risk_refresh_base.sql).
hz AS (
    SELECT house_id,
           count(*) FILTER (WHERE severity = 'major' AND NOT rectified) AS open_major,
           count(*) FILTER (WHERE overdue) AS overdue,
           bool_or(category = 'dangerous_house' AND NOT rectified) AS dangerous
    FROM zs
    GROUP BY house_id
), ka AS (
    -- Key areas outside, houses by their GiST index inside: each polygon meets its houses one
    -- after the other, so PostGIS prepares it once instead of once per house. The scope's
    -- house filters ({{house_scope}} on h) keep a scoped question small; `base` joins to hs.
    SELECT h.id AS house_id,
           array_agg(DISTINCT k.kind ORDER BY k.kind) AS kinds,
           sum(w.weight) AS weight
    FROM key_areas k
    JOIN unnest(CAST(:ka_kinds AS text[]), CAST(:ka_weights AS float8[])) AS w(kind, weight)
      ON w.kind = k.kind
    JOIN houses h ON ST_Intersects(k.geom, h.geom)
    WHERE {{house_scope}}
    GROUP BY h.id
), base AS (
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
           hs.electricity_kwh_month AS kwh,
           CAST(:kwh_base AS float8) + CAST(:kwh_per_tenant AS float8) * hs.registered_tenants
               AS kwh_expected
    FROM hs
    LEFT JOIN hz ON hz.house_id = hs.id
    LEFT JOIN ka ON ka.house_id = hs.id
)
