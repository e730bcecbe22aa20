-- Houses breaking the CCTV rule (and, with :fire_kit, the fire-kit rule), by unit and code.
-- house_code is unique, so the order is total and pages never overlap; a NULL :limit is
-- LIMIT ALL (the CLI takes every row). The totals come from cctv_units.sql's `listed`.
-- Unit by unit in name order, each unit's houses in code order (ix_houses_unit_code,
-- migration 0019) and at most the page's end of them: the first page reads the first units'
-- houses until it is full, not every house of the town.
WITH hs AS (
    -- @include _house_scope.sql
)
SELECT l.house_code, u.name AS unit, l.address, l.rooms, l.beds, l.tenants, l.cctv_required,
       l.cctv_violation, l.retention_days, l.fire_kit,
       l.has_smoke_masks, l.has_torches, l.has_extinguishers
FROM units u
CROSS JOIN LATERAL (
    SELECT hs.house_code, hs.address, hs.rooms, hs.beds, hs.tenants, hs.cctv_required,
           hs.cctv_violation, hs.cctv_retention_days AS retention_days, hs.fire_kit,
           hs.has_smoke_masks, hs.has_torches, hs.has_extinguishers
    FROM hs
    WHERE hs.unit_id = u.id
      AND (hs.cctv_violation IS NOT NULL
           OR (CAST(:fire_kit AS boolean) AND hs.fire_kit = 'incomplete'))
    ORDER BY hs.house_code
    LIMIT CAST(:limit AS bigint) + CAST(:offset AS bigint)
) l
WHERE u.kind IN ('village', 'community')
ORDER BY u.name, l.house_code
LIMIT CAST(:limit AS bigint) OFFSET CAST(:offset AS bigint)
