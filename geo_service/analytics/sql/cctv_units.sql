-- CCTV (视频监控) and fire-kit (消防器材) compliance per unit (SPEC §3.4).
WITH hs AS (
    -- @include _house_scope.sql
)
SELECT u.name AS unit,
       count(hs.id) AS houses,
       count(*) FILTER (WHERE hs.cctv_required) AS cctv_required,
       count(*) FILTER (WHERE hs.cctv_required AND hs.cctv_violation IS NULL) AS cctv_compliant,
       count(*) FILTER (WHERE hs.cctv_violation = 'missing') AS cctv_missing,
       count(*) FILTER (WHERE hs.cctv_violation = 'short_retention') AS cctv_short_retention,
       count(*) FILTER (WHERE hs.fire_kit = 'complete') AS fire_kit_complete,
       count(*) FILTER (WHERE hs.fire_kit = 'incomplete') AS fire_kit_incomplete,
       count(*) FILTER (WHERE hs.fire_kit = 'unchecked') AS fire_kit_unchecked,
       -- the unit's houses in cctv_houses.sql's list (every page of it)
       count(*) FILTER (WHERE hs.cctv_violation IS NOT NULL
                           OR (CAST(:fire_kit AS boolean) AND hs.fire_kit = 'incomplete')) AS listed
FROM units u
LEFT JOIN hs ON hs.unit_id = u.id
WHERE u.kind IN ('village', 'community')
  AND {{unit_scope}}
GROUP BY u.name
ORDER BY u.name
