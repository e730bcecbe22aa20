-- Refresh, step 2 (once per audience, under a role of that audience): the incident factor as
-- incident_counts_near() gives it to that role — the same function the live ranking calls.
INSERT INTO risk_incidents (audience, house_id, incidents)
SELECT CAST(:audience AS text), c.house_id, c.incidents
FROM incident_counts_near(
    ARRAY(SELECT id FROM risk_base), CAST(:radius_m AS float8), CAST(:radius_deg AS float8),
    CAST(:incidents_since AS date), CAST(:as_of AS date), CAST(:incidents_limit AS bigint)
) c
