-- Run once after the demo tables were loaded, in the same transaction.
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
