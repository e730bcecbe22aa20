-- Every inspection event with its outcome, from inspection_events (migration 0016: the one
-- place the labels come from): one row per house and day, however many records that day
-- holds. found_any: a hazard found (NULL: no record of the outcome — never a label);
-- found_major: a major hazard linked to it. kind and inspector (检查单位) of the day's first.
SELECT min(i.id) AS event_id, i.house_id, i.inspected_on AS day,
       (array_agg(CAST(i.kind AS text) ORDER BY i.id))[1] AS kind,
       (array_agg(CAST(coalesce(i.unit_name, '') AS text) ORDER BY i.id))[1] AS inspector,
       bool_or(i.found_hazard) AS found_any,
       sum(i.major_found) > 0 AS found_major
FROM inspection_events i
GROUP BY i.house_id, i.inspected_on
