-- Per unit (村/社区) as of D: the house and hazard codes behind each 附件1 deduction, in the
-- same scope and by the same rules as the counts of `unit_measures.sql` (one row per unit).
-- Arrays are aggregated unordered (so hash aggregation needs no sort) and sorted last, by
-- code points (COLLATE "C": the same order in any database, and no locale comparison).
WITH hs AS NOT MATERIALIZED (
    -- @include _house_scope.sql
), zs AS NOT MATERIALIZED (
    -- @include _hazards.sql
), house_rec AS (
    SELECT unit_id,
           array_agg(house_code) FILTER (WHERE NOT is_registered) AS houses_unregistered,
           array_agg(house_code) FILTER (WHERE registered_tenants < tenants)
               AS tenant_points_below_target,
           array_agg(house_code)
               FILTER (WHERE has_second_landlord AND NOT second_landlord_registered)
               AS second_landlords_unregistered,
           array_agg(house_code) FILTER (WHERE NOT pledge_signed) AS houses_without_pledge
    FROM hs
    -- only houses behind some deduction: fewer rows to aggregate
    WHERE NOT is_registered OR registered_tenants < tenants
       OR (has_second_landlord AND NOT second_landlord_registered) OR NOT pledge_signed
    GROUP BY unit_id
), hazard_rec AS (
    SELECT hs.unit_id,
           array_agg(zs.hazard_code) FILTER (WHERE NOT zs.transferred) AS not_transferred,
           array_agg(zs.hazard_code) FILTER (WHERE zs.overdue) AS overdue,
           array_agg(zs.hazard_code) FILTER (WHERE NOT zs.rectified) AS unrectified
    FROM zs JOIN hs ON hs.id = zs.house_id
    WHERE NOT zs.transferred OR zs.overdue OR NOT zs.rectified
    GROUP BY hs.unit_id
)
SELECT u.id AS unit_id,
       ARRAY(SELECT c FROM unnest(hr.houses_unregistered) c ORDER BY c COLLATE "C")
           AS rec_houses_unregistered,
       ARRAY(SELECT c FROM unnest(hr.tenant_points_below_target) c ORDER BY c COLLATE "C")
           AS rec_tenant_points_below_target,
       ARRAY(SELECT c FROM unnest(hr.second_landlords_unregistered) c ORDER BY c COLLATE "C")
           AS rec_second_landlords_unregistered,
       ARRAY(SELECT c FROM unnest(hr.houses_without_pledge) c ORDER BY c COLLATE "C")
           AS rec_houses_without_pledge,
       ARRAY(SELECT c FROM unnest(zr.not_transferred) c ORDER BY c COLLATE "C") AS rec_hazards_not_transferred,
       ARRAY(SELECT c FROM unnest(zr.overdue) c ORDER BY c COLLATE "C") AS rec_hazards_overdue,
       ARRAY(SELECT c FROM unnest(zr.unrectified) c ORDER BY c COLLATE "C") AS rec_hazards_unrectified
FROM units u
LEFT JOIN house_rec hr ON hr.unit_id = u.id
LEFT JOIN hazard_rec zr ON zr.unit_id = u.id
WHERE u.kind IN ('village', 'community')
  AND {{unit_scope}}
