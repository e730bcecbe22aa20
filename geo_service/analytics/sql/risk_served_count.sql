-- How many houses the scope holds (houses_scored of a report from the maintained ranking): the
-- houses the live ranking would score (_house_scope.sql: of villages and communities), counted
-- on the houses' own indexes rather than by joining the ranking.
SELECT count(*)
FROM houses h
JOIN units u ON u.id = h.unit_id
WHERE u.kind IN ('village', 'community') AND {{house_scope}}
