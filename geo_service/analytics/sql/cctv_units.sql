-- CCTV (视频监控) and fire-kit (消防器材) compliance per unit (SPEC §3.4).
-- Counted per unit_id in one pass over the houses (in parallel: partial counts per worker),
-- then put beside every unit listed, a unit without houses with zeros.
WITH hs AS (
    -- @include _house_scope.sql
), c AS (
    SELECT hs.unit_id,
           count(*) AS houses,
           count(*) FILTER (WHERE hs.cctv_required) AS cctv_required,
           count(*) FILTER (WHERE hs.cctv_required AND hs.cctv_violation IS NULL)
               AS cctv_compliant,
           count(*) FILTER (WHERE hs.cctv_violation = 'missing') AS cctv_missing,
           count(*) FILTER (WHERE hs.cctv_violation = 'short_retention') AS cctv_short_retention,
           count(*) FILTER (WHERE hs.fire_kit = 'complete') AS fire_kit_complete,
           count(*) FILTER (WHERE hs.fire_kit = 'incomplete') AS fire_kit_incomplete,
           count(*) FILTER (WHERE hs.fire_kit = 'unchecked') AS fire_kit_unchecked,
           -- the unit's houses in cctv_houses.sql's list (every page of it)
           count(*) FILTER (WHERE hs.cctv_violation IS NOT NULL
                               OR (CAST(:fire_kit AS boolean) AND hs.fire_kit = 'incomplete'))
               AS listed
    FROM hs
    GROUP BY hs.unit_id
)
SELECT u.name AS unit,
       coalesce(c.houses, 0) AS houses,
       coalesce(c.cctv_required, 0) AS cctv_required,
       coalesce(c.cctv_compliant, 0) AS cctv_compliant,
       coalesce(c.cctv_missing, 0) AS cctv_missing,
       coalesce(c.cctv_short_retention, 0) AS cctv_short_retention,
       coalesce(c.fire_kit_complete, 0) AS fire_kit_complete,
       coalesce(c.fire_kit_incomplete, 0) AS fire_kit_incomplete,
       coalesce(c.fire_kit_unchecked, 0) AS fire_kit_unchecked,
       coalesce(c.listed, 0) AS listed
FROM units u
LEFT JOIN c ON c.unit_id = u.id
WHERE u.kind IN ('village', 'community')
  AND {{unit_scope}}
ORDER BY u.name
