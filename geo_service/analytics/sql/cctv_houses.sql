-- Houses breaking the CCTV rule (and, with :fire_kit, the fire-kit rule), by unit and code.
WITH hs AS (
    -- @include _house_scope.sql
)
SELECT house_code, unit_name AS unit, address, rooms, beds, tenants, cctv_required,
       cctv_violation, cctv_retention_days AS retention_days, fire_kit,
       has_smoke_masks, has_torches, has_extinguishers
FROM hs
WHERE cctv_violation IS NOT NULL
   OR (CAST(:fire_kit AS boolean) AND fire_kit = 'incomplete')
-- house_code is unique, so the order is total and pages never overlap; a NULL :limit is
-- LIMIT ALL (the CLI takes every row). The totals come from cctv_units.sql's `listed`.
ORDER BY unit_name, house_code
LIMIT CAST(:limit AS bigint) OFFSET CAST(:offset AS bigint)
