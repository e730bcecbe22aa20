-- Heat points: one per house with hazards under the filters ({{source}}); its weight is the sum
-- over those hazards of (:w_major for 重大, :w_general for 一般) × (:w_overdue when overdue, else 1).
-- {{output}} is the aggregate that shapes the answer (GeoJSON features or [lat, lon, weight]).
SELECT {{output}}
FROM (
    SELECT t.house_id, t.geom, count(*) AS hazards,
           sum(CASE WHEN t.severity = 'major' THEN :w_major ELSE :w_general END
               * CASE WHEN t.status = 'overdue' THEN :w_overdue ELSE 1 END) AS weight
    FROM {{source}}
    GROUP BY t.house_id, t.geom
) s
