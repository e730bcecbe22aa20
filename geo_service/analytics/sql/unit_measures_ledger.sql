-- Per unit (村/社区) as of D from the event ledger (docs/ledger.md): the same columns as
-- `unit_measures.sql`, each count the sum of its dated deltas up to D. Used when the scope is
-- expressible on the ledger's dimensions (analytics/ledger.py decides). {{ledger_hazards}}:
-- ledger_hazard_units when no filter needs the wider table's dimensions, else ledger_hazards;
-- {{ledger_hazard_scope}} the scope's hazard conditions on it (alias l), {{ledger_house_scope}}
-- the unit and key-area conditions on a ledger row (alias l); the inspected marker false: the
-- 排查率's inspected houses are not counted (houses_inspected NULL; the scores do not use it).
WITH house_agg AS (
    SELECT l.unit_id,
           sum(l.houses) AS houses, sum(l.houses_registered) AS houses_registered,
           sum(l.tenants) AS tenants, sum(l.registered_tenants) AS registered_tenants,
           sum(l.second_landlords) AS second_landlords,
           sum(l.second_landlords_registered) AS second_landlords_registered,
           sum(l.houses_pledged) AS houses_pledged, sum(l.cctv_required) AS cctv_required,
           sum(l.cctv_compliant) AS cctv_compliant
    FROM ledger_houses l
    WHERE l.day <= CAST(:as_of AS date) AND {{ledger_house_scope}}
    GROUP BY l.unit_id
), inspected_last AS MATERIALIZED (
    -- 排查率 is no running sum. The houses existing on D (their segment covering D) last
    -- inspected within the period, index-only ...
    SELECT l.house_id, l.unit_id, l.areas FROM ledger_house_segments l
    WHERE l.last_inspected_on BETWEEN CAST(:period_from AS date) AND CAST(:period_to AS date)
      AND l.valid_from <= CAST(:as_of AS date) AND CAST(:as_of AS date) < l.valid_to
      AND {{inspected}}
), inspected AS (
    SELECT unit_id, areas FROM inspected_last
    UNION ALL
    -- ... and the houses with an inspection in the period not among them: usually none as of
    -- today (the join then reads nothing); as of a past month's end, those inspected since.
    SELECT l.unit_id, l.areas
    FROM (SELECT DISTINCT i.house_id FROM inspections i
          WHERE i.inspected_on BETWEEN CAST(:period_from AS date)
                                   AND CAST(:period_to AS date) AND {{inspected}}
          EXCEPT
          SELECT house_id FROM inspected_last) i
    JOIN ledger_house_segments l ON l.house_id = i.house_id
        AND l.valid_from <= CAST(:as_of AS date) AND CAST(:as_of AS date) < l.valid_to
), inspected_agg AS (
    SELECT l.unit_id, count(*) AS houses_inspected
    FROM inspected l
    WHERE {{ledger_house_scope}}
    GROUP BY l.unit_id
), hazard_cat AS (
    SELECT l.unit_id, l.category,
           sum(l.n) AS n,
           sum(l.n) FILTER (WHERE l.transferred) AS n_transferred,
           sum(l.n) FILTER (WHERE l.status = 'rectified') AS n_rectified,
           sum(l.n) FILTER (WHERE l.status = 'overdue') AS n_overdue
    FROM {{ledger_hazards}} l
    WHERE l.day <= CAST(:as_of AS date) AND {{ledger_house_scope}} AND {{ledger_hazard_scope}}
    GROUP BY l.unit_id, l.category
    HAVING sum(l.n) <> 0
), hazard_agg AS (
    SELECT unit_id,
           CAST(sum(n) AS bigint) AS hazards,
           CAST(coalesce(sum(n_transferred), 0) AS bigint) AS hazards_transferred,
           CAST(coalesce(sum(n_rectified), 0) AS bigint) AS hazards_rectified,
           CAST(coalesce(sum(n_overdue), 0) AS bigint) AS hazards_overdue,
           jsonb_object_agg(category, n) AS by_category
    FROM hazard_cat
    GROUP BY unit_id
)
SELECT u.id AS unit_id, u.name AS unit_name, u.kind AS unit_kind,
       u.has_task_list, u.has_annual_plan,
       CAST(coalesce(ha.houses, 0) AS bigint) AS houses,
       CAST(coalesce(ha.houses_registered, 0) AS bigint) AS houses_registered,
       CAST(coalesce(ha.tenants, 0) AS bigint) AS tenants,
       CAST(coalesce(ha.registered_tenants, 0) AS bigint) AS registered_tenants,
       CAST(coalesce(ha.second_landlords, 0) AS bigint) AS second_landlords,
       CAST(coalesce(ha.second_landlords_registered, 0) AS bigint)
           AS second_landlords_registered,
       CAST(coalesce(ha.houses_pledged, 0) AS bigint) AS houses_pledged,
       CASE WHEN {{inspected}} THEN coalesce(ia.houses_inspected, 0) END AS houses_inspected,
       CAST(coalesce(ha.cctv_required, 0) AS bigint) AS cctv_required,
       CAST(coalesce(ha.cctv_compliant, 0) AS bigint) AS cctv_compliant,
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
