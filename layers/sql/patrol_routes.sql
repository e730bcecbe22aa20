-- 回头看巡查路线: each team's road-following route of a saved plan (geo-service routes plan).
SELECT r.id AS fid, r.plan_ref, p.plan_date, r.team, r.stops, r.driving_s, r.distance_m, r.geom
FROM route_plan_routes r
JOIN route_plans p ON p.ref = r.plan_ref
