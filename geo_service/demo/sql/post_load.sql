-- Run once after the demo tables were COPYed, in the same transaction.
-- Parameters: %(first_campus_id)s, %(campus_buffer_m)s.

-- 校园周边: a buffer of campus_buffer_m metres around every school, measured on the spheroid
-- (geography), so the distance is true metres whatever the latitude.
INSERT INTO key_areas (id, kind, name, school_id, geom)
SELECT %(first_campus_id)s + row_number() OVER (ORDER BY s.id) - 1,
       'campus',
       s.name || '校园周边',
       s.id,
       ST_Multi(ST_Buffer(s.geom::geography, %(campus_buffer_m)s)::geometry)
FROM schools s;

-- 警情 belong to the unit whose boundary contains them (the lowest id on a shared border, so
-- the result is deterministic); incidents outside every unit keep NULL.
UPDATE incidents i
SET unit_id = (
    SELECT u.id FROM units u
    WHERE u.geom IS NOT NULL AND ST_Intersects(u.geom, i.geom)
    ORDER BY u.id
    LIMIT 1
);
