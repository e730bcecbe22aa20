-- 警情 that occurred on or before :as_of, in the town's time :tz. The summary (简要案情) may
-- name people, so it is not exposed.
SELECT i.id AS fid, i.incident_code, i.occurred_at,
       CAST(i.occurred_at AT TIME ZONE CAST(:tz AS text) AS date) AS occurred_on,
       to_char(i.occurred_at AT TIME ZONE CAST(:tz AS text), 'YYYY-MM-DD HH24:MI')
           AS occurred_time,
       i.category, i.unit_id, i.address, i.geom
FROM incidents i
WHERE i.occurred_at < (CAST(:as_of AS date) + 1)::timestamp AT TIME ZONE CAST(:tz AS text)
