DROP FUNCTION IF EXISTS risk_incident_cells(date, date);
DROP TABLE IF EXISTS risk_models;
