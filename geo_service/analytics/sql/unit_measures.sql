-- Per unit (村/社区) as of D: the counts behind the 附件1 scores and the 附件2 table. One row
-- per unit, units without houses or hazards included (their counts are 0). The CTEs are
-- inlined (NOT MATERIALIZED): scanning houses twice is cheaper than writing wide CTE rows to
-- disk. Only counts here, so every aggregate runs in parallel (PostgreSQL 15's array_agg has
-- no parallel combine): the codes behind each count are `unit_records.sql`, run only when
-- asked for.
WITH hs AS NOT MATERIALIZED (
    -- @include _house_scope.sql
), zs AS NOT MATERIALIZED (
    -- @include _hazards.sql
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
           count(*) FILTER (WHERE cctv_required) AS cctv_required,
           count(*) FILTER (WHERE cctv_required AND cctv_violation IS NULL) AS cctv_compliant
    FROM hs
    GROUP BY unit_id
), inspected_agg AS (
    -- The same rule as hs.inspected (排查率), as a join: a hashed IN-subquery would keep the
    -- whole house aggregate serial.
    SELECT hs.unit_id, count(*) AS houses_inspected
    FROM hs
    LEFT JOIN (SELECT DISTINCT i.house_id FROM inspections i
               WHERE i.inspected_on BETWEEN CAST(:period_from AS date)
                                        AND CAST(:period_to AS date)) pi ON pi.house_id = hs.id
    WHERE hs.last_inspected_on BETWEEN CAST(:period_from AS date) AND CAST(:period_to AS date)
       OR pi.house_id IS NOT NULL
    GROUP BY hs.unit_id
), hazard_cat AS (
    -- One pass over the hazards: per unit and category (a few hundred rows), then rolled up.
    SELECT unit_id, category,
           count(*) AS n,
           count(*) FILTER (WHERE transferred) AS n_transferred,
           count(*) FILTER (WHERE rectified) AS n_rectified,
           count(*) FILTER (WHERE overdue) AS n_overdue
    FROM zh
    GROUP BY unit_id, category
), hazard_agg AS (
    SELECT unit_id,
           CAST(sum(n) AS bigint) AS hazards,
           CAST(sum(n_transferred) AS bigint) AS hazards_transferred,
           CAST(sum(n_rectified) AS bigint) AS hazards_rectified,
           CAST(sum(n_overdue) AS bigint) AS hazards_overdue,
           jsonb_object_agg(category, n) AS by_category
    FROM hazard_cat
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
       coalesce(ia.houses_inspected, 0) AS houses_inspected,
       coalesce(ha.cctv_required, 0) AS cctv_required,
       coalesce(ha.cctv_compliant, 0) AS cctv_compliant,
       coalesce(za.hazards, 0) AS hazards,
       coalesce(za.hazards_transferred, 0) AS hazards_transferred,
       coalesce(za.hazards_rectified, 0) AS hazards_rectified,
       coalesce(za.hazards_overdue, 0) AS hazards_overdue,
       coalesce(za.by_category, '{}'::jsonb) AS by_category
FROM units u
LEFT JOIN house_agg ha ON ha.unit_id = u.id
LEFT JOIN inspected_agg ia ON ia.unit_id = u.id
LEFT JOIN hazard_agg za ON za.unit_id = u.id
WHERE u.kind IN ('village', 'community')
  AND {{unit_scope}}
ORDER BY u.name
