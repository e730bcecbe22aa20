-- The events to describe: an inspection of every house in scope that stood on D, on the day
-- after D, i.e. everything recorded by D may be used ({{house_scope}} on h: the scope's
-- filters).
SELECT h.id AS event_id, h.id AS house_id, CAST(:as_of AS date) + 1 AS day,
       CAST(NULL AS text) AS kind, CAST(NULL AS text) AS inspector,
       CAST(NULL AS boolean) AS found_any, CAST(NULL AS boolean) AS found_major
FROM houses h
JOIN units u ON u.id = h.unit_id
WHERE u.kind IN ('village', 'community')
  AND h.id IN (SELECT s.id FROM house_state(CAST(:as_of AS date)) s)
  AND {{house_scope}}
