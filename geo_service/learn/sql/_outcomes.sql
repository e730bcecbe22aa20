-- Every inspection event (检查) with its outcome: one row per house and day, however many
-- records that day holds. found_any / found_major: a hazard (a major one) found at it, i.e. a
-- hazard of that house found that day.
SELECT min(i.id) AS event_id, i.house_id, i.inspected_on AS day,
       (array_agg(CAST(i.kind AS text) ORDER BY i.id))[1] AS kind,
       (array_agg(CAST(i.inspector AS text) ORDER BY i.id))[1] AS inspector,
       bool_or(f.any_found) AS found_any, bool_or(f.major_found) AS found_major
FROM inspections i
CROSS JOIN LATERAL (
    SELECT count(*) > 0 AS any_found, count(*) FILTER (WHERE z.severity = 'major') > 0
               AS major_found
    FROM hazards z
    WHERE z.house_id = i.house_id AND z.found_on = i.inspected_on
) f
GROUP BY i.house_id, i.inspected_on
