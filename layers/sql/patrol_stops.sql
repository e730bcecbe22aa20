-- 回头看巡查站点: the stops of a saved plan in visiting order, with the planned arrival time.
SELECT s.id AS fid, s.plan_ref, s.team, s.seq, s.house_id, h.house_code,
       to_char(make_interval(secs => s.arrival_s), 'HH24:MI') AS arrival,
       to_char(make_interval(secs => s.departure_s), 'HH24:MI') AS departure,
       s.geom
FROM route_plan_stops s
JOIN houses h ON h.id = s.house_id
