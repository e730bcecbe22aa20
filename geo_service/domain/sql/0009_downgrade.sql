DROP FUNCTION hazard_state(date);
DROP TRIGGER hazards_derive_due ON hazards;
DROP FUNCTION hazards_derive_due();
DROP FUNCTION hazard_due(date, text, date);
DROP TABLE rule_params;
