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
-- @include _unit_records_out.sql
