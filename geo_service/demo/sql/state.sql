-- What the demo loader needs to know before it touches anything:
-- the dataset fact, and whether any demo table already holds rows.
SELECT
    (SELECT value FROM meta WHERE key = 'dataset') AS dataset,
    EXISTS (SELECT 1 FROM units)
        OR EXISTS (SELECT 1 FROM houses)
        OR EXISTS (SELECT 1 FROM hazards)
        OR EXISTS (SELECT 1 FROM incidents)
        OR EXISTS (SELECT 1 FROM roads)
        OR EXISTS (SELECT 1 FROM addresses)
        OR EXISTS (SELECT 1 FROM key_areas)
        OR EXISTS (SELECT 1 FROM schools)
        OR EXISTS (SELECT 1 FROM inspections) AS has_data;
