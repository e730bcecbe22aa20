DROP VIEW IF EXISTS inspection_events;
DROP INDEX IF EXISTS ix_hazards_inspection;
ALTER TABLE hazards DROP COLUMN IF EXISTS inspection_id;
DROP INDEX IF EXISTS uq_inspections_sheet_key;
DROP INDEX IF EXISTS ix_inspections_unit;
ALTER TABLE inspections
    DROP CONSTRAINT IF EXISTS inspection_sheet_unit,
    DROP CONSTRAINT IF EXISTS inspection_source,
    DROP COLUMN IF EXISTS source,
    DROP COLUMN IF EXISTS found_hazard,
    DROP COLUMN IF EXISTS unit_id,
    DROP COLUMN IF EXISTS unit_name;
ALTER TABLE inspections DROP CONSTRAINT inspection_kind;
UPDATE inspections SET kind = 'joint' WHERE kind = 'supervision';
ALTER TABLE inspections ADD CONSTRAINT inspection_kind
    CHECK (kind IN ('self', 'special', 'joint', 'review'));
