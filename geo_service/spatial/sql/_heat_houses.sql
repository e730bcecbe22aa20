-- One heat point per house with hazards under the filters ({{source}}); its weight is the sum
-- over those hazards of (:w_major for 重大, :w_general for 一般) × (:w_overdue when overdue,
-- else 1). Grouped by the house alone, its point carried as two floats (min of equal values:
-- the house's own coordinates), which hashes far faster than grouping by the geometry.
SELECT t.house_id, min(ST_X(t.geom)) AS lon, min(ST_Y(t.geom)) AS lat, count(*) AS hazards,
       sum(CASE WHEN t.severity = 'major' THEN :w_major ELSE :w_general END
           * CASE WHEN t.status = 'overdue' THEN :w_overdue ELSE 1 END) AS weight
FROM {{source}}
GROUP BY t.house_id
