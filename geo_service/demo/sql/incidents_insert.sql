-- 警情 take the unit whose boundary contains them (the lowest id on a shared border, so the
-- result is deterministic); incidents outside every unit keep NULL. Reading the rows from the
-- temporary staging table writes each incident once, instead of COPY then UPDATE.
INSERT INTO incidents (id, incident_code, occurred_at, category, address, summary, geom,
                       geocode_method, geocode_confidence, unit_id)
SELECT d.id, d.incident_code, d.occurred_at, d.category, d.address, d.summary, d.geom,
       d.geocode_method, d.geocode_confidence,
       (SELECT u.id FROM units u
        WHERE u.geom IS NOT NULL AND ST_Intersects(u.geom, d.geom)
        ORDER BY u.id LIMIT 1)
FROM demo_incidents d;
