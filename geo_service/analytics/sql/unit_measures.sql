-- Per unit (村/社区) as of D: the counts behind the 附件1 scores and the 附件2 table, and the
-- records behind each deduction (house and hazard codes). One row per unit, units without
-- houses or hazards included (their counts are 0).
WITH hs AS (
    -- @include _house_scope.sql
), zs AS (
    -- @include _hazard_state.sql
), zh AS (
    SELECT zs.*, hs.unit_id FROM zs JOIN hs ON hs.id = zs.house_id
), house_agg AS (
    SELECT unit_id,
           count(*) AS houses,
           count(*) FILTER (WHERE is_registered) AS houses_registered,
           sum(tenants) AS tenants,
           sum(registered_tenants) AS registered_tenants,
           count(*) FILTER (WHERE has_second_landlord) AS second_landlords,
           count(*) FILTER (WHERE has_second_landlord AND second_landlord_registered)
               AS second_landlords_registered,
           count(*) FILTER (WHERE pledge_signed) AS houses_pledged,
           count(*) FILTER (WHERE inspected) AS houses_inspected,
           count(*) FILTER (WHERE cctv_required) AS cctv_required,
           count(*) FILTER (WHERE cctv_required AND cctv_violation IS NULL) AS cctv_compliant,
           array_agg(house_code ORDER BY house_code) FILTER (WHERE NOT is_registered)
               AS rec_houses_unregistered,
           array_agg(house_code ORDER BY house_code) FILTER (WHERE registered_tenants < tenants)
               AS rec_tenant_points_below_target,
           array_agg(house_code ORDER BY house_code)
               FILTER (WHERE has_second_landlord AND NOT second_landlord_registered)
               AS rec_second_landlords_unregistered,
           array_agg(house_code ORDER BY house_code) FILTER (WHERE NOT pledge_signed)
               AS rec_houses_without_pledge
    FROM hs
    GROUP BY unit_id
), hazard_agg AS (
    SELECT unit_id,
           count(*) AS hazards,
           count(*) FILTER (WHERE transferred) AS hazards_transferred,
           count(*) FILTER (WHERE rectified) AS hazards_rectified,
           count(*) FILTER (WHERE overdue) AS hazards_overdue,
           array_agg(hazard_code ORDER BY hazard_code) FILTER (WHERE NOT transferred)
               AS rec_hazards_not_transferred,
           array_agg(hazard_code ORDER BY hazard_code) FILTER (WHERE overdue)
               AS rec_hazards_overdue,
           array_agg(hazard_code ORDER BY hazard_code) FILTER (WHERE NOT rectified)
               AS rec_hazards_unrectified
    FROM zh
    GROUP BY unit_id
), category_agg AS (
    SELECT unit_id, jsonb_object_agg(category, n) AS by_category
    FROM (SELECT unit_id, category, count(*) AS n FROM zh GROUP BY unit_id, category) t
    GROUP BY unit_id
)
SELECT u.id AS unit_id, u.name AS unit_name, u.kind AS unit_kind,
       u.has_task_list, u.has_annual_plan,
       coalesce(ha.houses, 0) AS houses,
       coalesce(ha.houses_registered, 0) AS houses_registered,
       coalesce(ha.tenants, 0) AS tenants,
       coalesce(ha.registered_tenants, 0) AS registered_tenants,
       coalesce(ha.second_landlords, 0) AS second_landlords,
       coalesce(ha.second_landlords_registered, 0) AS second_landlords_registered,
       coalesce(ha.houses_pledged, 0) AS houses_pledged,
       coalesce(ha.houses_inspected, 0) AS houses_inspected,
       coalesce(ha.cctv_required, 0) AS cctv_required,
       coalesce(ha.cctv_compliant, 0) AS cctv_compliant,
       coalesce(za.hazards, 0) AS hazards,
       coalesce(za.hazards_transferred, 0) AS hazards_transferred,
       coalesce(za.hazards_rectified, 0) AS hazards_rectified,
       coalesce(za.hazards_overdue, 0) AS hazards_overdue,
       coalesce(ca.by_category, '{}'::jsonb) AS by_category,
       coalesce(ha.rec_houses_unregistered, '{}') AS rec_houses_unregistered,
       coalesce(ha.rec_tenant_points_below_target, '{}') AS rec_tenant_points_below_target,
       coalesce(ha.rec_second_landlords_unregistered, '{}') AS rec_second_landlords_unregistered,
       coalesce(ha.rec_houses_without_pledge, '{}') AS rec_houses_without_pledge,
       coalesce(za.rec_hazards_not_transferred, '{}') AS rec_hazards_not_transferred,
       coalesce(za.rec_hazards_overdue, '{}') AS rec_hazards_overdue,
       coalesce(za.rec_hazards_unrectified, '{}') AS rec_hazards_unrectified
FROM units u
LEFT JOIN house_agg ha ON ha.unit_id = u.id
LEFT JOIN hazard_agg za ON za.unit_id = u.id
LEFT JOIN category_agg ca ON ca.unit_id = u.id
WHERE u.kind IN ('village', 'community')
  AND (CAST(:unit_names AS text[]) IS NULL OR u.name = ANY (CAST(:unit_names AS text[])))
ORDER BY u.name
