-- The houses layer's rows ({{houses}}: filtered) with the number of their hazards open and
-- overdue on :as_of among those the hazard filters keep ({{hazards}}: the hazards layer).
SELECT t.*, coalesce(c.open, 0) AS open_hazards, coalesce(c.overdue, 0) AS overdue_hazards
FROM (SELECT t.* FROM {{houses}}) t
LEFT JOIN (
    SELECT t.house_id,
           count(*) FILTER (WHERE t.status <> 'rectified') AS open,
           count(*) FILTER (WHERE t.status = 'overdue') AS overdue
    FROM {{hazards}}
    GROUP BY t.house_id
) c ON c.house_id = t.fid
