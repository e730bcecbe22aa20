-- A house's review visits (回头看) for its popup, newest first: one row per visit (the outcomes
-- it recorded, together), who recorded it and its photos, in the town's time :tz. Visits after
-- :as_of are not shown.
SELECT to_char(v.visited_at AT TIME ZONE CAST(:tz AS text), 'YYYY-MM-DD HH24:MI') AS visited,
       v.plan_ref, v.team, v.recorded_by, v.notes,
       array_agg(v.outcome ORDER BY v.id) AS outcomes,
       array_agg(z.hazard_code ORDER BY v.id) AS hazard_codes,
       (array_agg(v.photos ORDER BY v.id))[1] AS photos
FROM review_visits v
LEFT JOIN hazards z ON z.id = v.hazard_id
WHERE v.house_id = :id
  AND CAST(v.visited_at AT TIME ZONE CAST(:tz AS text) AS date) <= CAST(:as_of AS date)
GROUP BY v.visited_at, v.plan_ref, v.team, v.recorded_by, v.notes
ORDER BY v.visited_at DESC
LIMIT 10
