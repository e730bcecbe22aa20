-- Houses in scope on D (:as_of), as recorded that day (house_state(), docs/history.md; villages
-- and communities; {{house_scope}}: the scope's unit, key-area and bbox filters on h) with the
-- CCTV rule of
-- SPEC §3.4 applied. Must agree with geo_service.domain.rules.cctv_required / cctv_violation:
-- required when ANY threshold is reached (>=); installed NULL counts as missing; retention NULL
-- or under the minimum counts as short. `fire_kit` agrees with rules.fire_kit_status: any item
-- recorded absent = incomplete, all present = complete, else unchecked. `inspected`: inspected within the period (排查率).
SELECT h.id, h.house_code, h.unit_id, u.name AS unit_name, h.address, h.geom,
       h.last_inspected_on,
       h.rooms, h.beds, h.tenants, h.registered_tenants, h.is_registered, h.pledge_signed,
       h.has_second_landlord,  -- derived column: the name itself is personal data
       coalesce(h.second_landlord_registered, false) AS second_landlord_registered,
       h.cctv_installed, h.cctv_retention_days, h.is_self_built, h.electricity_kwh_month,
       h.has_smoke_masks, h.has_torches, h.has_extinguishers,
       c.required AS cctv_required,
       CASE WHEN NOT c.required THEN NULL
            WHEN h.cctv_installed IS NOT TRUE THEN 'missing'
            WHEN h.cctv_retention_days IS NULL
              OR h.cctv_retention_days < CAST(:cctv_min_retention_days AS integer)
              THEN 'short_retention'
       END AS cctv_violation,
       CASE WHEN h.has_smoke_masks IS FALSE OR h.has_torches IS FALSE
                 OR h.has_extinguishers IS FALSE THEN 'incomplete'
            WHEN h.has_smoke_masks AND h.has_torches AND h.has_extinguishers THEN 'complete'
            ELSE 'unchecked'
       END AS fire_kit,
       (h.last_inspected_on BETWEEN CAST(:period_from AS date) AND CAST(:period_to AS date)
        -- IN, not a correlated EXISTS: the planner hashes the period's inspections once
        OR h.id IN (SELECT i.house_id FROM inspections i
                    WHERE i.inspected_on BETWEEN CAST(:period_from AS date)
                                             AND CAST(:period_to AS date))) AS inspected
FROM house_state(CAST(:as_of AS date)) h
JOIN units u ON u.id = h.unit_id
CROSS JOIN LATERAL (
    SELECT (h.rooms >= CAST(:cctv_min_rooms AS integer)
            OR h.beds >= CAST(:cctv_min_beds AS integer)
            OR h.tenants >= CAST(:cctv_min_tenants AS integer)) AS required
) c
WHERE u.kind IN ('village', 'community')
  AND {{house_scope}}
