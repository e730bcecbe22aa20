-- Patrol routes (回头看) of the latest plan made for a day up to a week after :as_of: one line
-- per team and the numbered stops, with the house and its arrival time.
WITH p AS (
    SELECT ref, plan_date FROM route_plans
    WHERE plan_date <= CAST(:as_of AS date) + 7
    ORDER BY plan_date DESC, created_at DESC
    LIMIT 1
), lines AS (
    SELECT json_build_object(
               'type', 'Feature', 'geometry', ST_AsGeoJSON(r.geom, 6)::json,
               'properties', json_build_object(
                   'plan', r.plan_ref, 'plan_date', p.plan_date, 'team', r.team,
                   'stops', r.stops, 'driving_min', round((r.driving_s / 60.0)::numeric, 0),
                   'distance_km', round((r.distance_m / 1000.0)::numeric, 1))) AS f,
           r.team, 0 AS seq
    FROM route_plan_routes r JOIN p ON p.ref = r.plan_ref
    WHERE r.geom IS NOT NULL
), stops AS (
    SELECT json_build_object(
               'type', 'Feature', 'geometry', ST_AsGeoJSON(coalesce(s.geom, h.geom), 6)::json,
               'properties', json_build_object(
                   'plan', s.plan_ref, 'team', s.team, 'seq', s.seq, 'house_id', s.house_id,
                   'house_code', h.house_code, 'address', h.address,
                   'arrival', to_char(make_interval(secs => s.arrival_s), 'HH24:MI'))) AS f,
           s.team, s.seq
    FROM route_plan_stops s JOIN p ON p.ref = s.plan_ref JOIN houses h ON h.id = s.house_id
    WHERE coalesce(s.geom, h.geom) IS NOT NULL
)
SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(
           (SELECT json_agg(f ORDER BY team, seq) FROM (SELECT * FROM lines UNION ALL
                                                        SELECT * FROM stops) u), '[]'::json))
