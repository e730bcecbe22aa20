-- Undo 0015_ledger.sql: the triggers, the ledger tables, their functions and indexes.
DROP TRIGGER IF EXISTS ledger_rules ON rule_params;
DROP TRIGGER IF EXISTS ledger_ins ON hazards;
DROP TRIGGER IF EXISTS ledger_upd ON hazards;
DROP TRIGGER IF EXISTS ledger_del ON hazards;
DROP TRIGGER IF EXISTS ledger_truncate ON hazards;
DROP TRIGGER IF EXISTS ledger_ins ON houses;
DROP TRIGGER IF EXISTS ledger_upd ON houses;
DROP TRIGGER IF EXISTS ledger_del ON houses;
DROP TRIGGER IF EXISTS ledger_truncate ON houses;
DROP TRIGGER IF EXISTS ledger_ins ON key_areas;
DROP TRIGGER IF EXISTS ledger_upd ON key_areas;
DROP TRIGGER IF EXISTS ledger_del ON key_areas;
DROP TRIGGER IF EXISTS ledger_truncate ON key_areas;
DROP FUNCTION IF EXISTS ledger_rules_changed(), ledger_truncated(), ledger_key_areas_changed(),
    ledger_houses_changed(), ledger_house_deleting(), ledger_hazards_changed(), ledger_recount_house_figures(),
    ledger_rebuild(), ledger_refresh_houses(integer[], integer[], integer[]),
    ledger_put_segments(integer[], jsonb),
    ledger_apply_houses(integer[], integer, boolean, boolean),
    ledger_hazard_events(date, date, date, date, boolean, boolean, date, date),
    ledger_hazard_transferred(date, date, boolean, boolean),
    ledger_hazard_status(date, date, date), ledger_segments_of(integer[]),
    ledger_hazards_upsert(), ledger_spans_insert(),
    ledger_hazard_spans_of(date, date, date, date, boolean, boolean, date, date);
DROP TABLE IF EXISTS ledger_hazard_spans, ledger_hazard_units, ledger_hazards, ledger_houses, ledger_house_segments;
DROP FUNCTION IF EXISTS ledger_area_mask(text[]),
    ledger_area_bit(text);
DROP INDEX IF EXISTS ix_inspections_date;
