-- Undo 0019: the analytics scan the tables again.
DROP INDEX IF EXISTS ix_hazards_unrectified_on;
DROP INDEX IF EXISTS ix_houses_id_unit;
DROP INDEX IF EXISTS ix_houses_unit_code;
