-- Points and score from the factor values (CTEs after `raw`, which is `base` plus
-- v_incidents: pts, scored, total): weight × min(value, cap) per factor, weights and caps
-- bound from risk_weights.toml. Shared by risk.sql and risk_refresh_rows.sql.
pts AS (
    SELECT raw.*,
           coalesce(GREATEST(0, kwh / nullif(kwh_expected, 0) - CAST(:kwh_threshold AS float8)), 0)
               AS v_electricity,
           CAST(:w_open_major_hazards AS float8)
               * LEAST(v_open_major_hazards, CAST(:c_open_major_hazards AS float8))
               AS p_open_major_hazards,
           CAST(:w_overdue_hazards AS float8)
               * LEAST(v_overdue_hazards, CAST(:c_overdue_hazards AS float8))
               AS p_overdue_hazards,
           CAST(:w_cctv_violation AS float8) * v_cctv_violation AS p_cctv_violation,
           CAST(:w_fire_kit_missing AS float8)
               * LEAST(v_fire_kit_missing, CAST(:c_fire_kit_missing AS float8))
               AS p_fire_kit_missing,
           CAST(:w_self_built AS float8) * v_self_built AS p_self_built,
           CAST(:w_dangerous_house AS float8) * v_dangerous_house AS p_dangerous_house,
           CAST(:w_tenant_gap AS float8) * LEAST(v_tenant_gap, CAST(:c_tenant_gap AS float8))
               AS p_tenant_gap,
           CAST(:w_incidents AS float8) * LEAST(v_incidents, CAST(:c_incidents AS float8))
               AS p_incidents
    FROM raw
), scored AS (
    SELECT pts.*,
           CAST(:w_electricity AS float8) * LEAST(v_electricity, CAST(:c_electricity AS float8))
               AS p_electricity
    FROM pts
), total AS (
    SELECT scored.*,
           p_open_major_hazards + p_overdue_hazards + p_cctv_violation + p_fire_kit_missing
           + p_key_area + p_self_built + p_dangerous_house + p_tenant_gap + p_incidents
           + p_electricity AS score
    FROM scored
)
