-- The roads layer is the whole network. Roads have no natural key, so a road is its content
-- (name, class, one-way, speed, exact geometry): lines the file no longer has are deleted,
-- new ones inserted, identical ones left alone (keeping their ids and routing topology).
-- Multi-lines are merged and split into simple lines (the routing graph's edges).
WITH src AS (
    SELECT s.row_no, s.name, s.road_class, s.oneway, s.speed_kmh, d.geom,
           md5(concat_ws('|', s.name, s.road_class, s.oneway, s.speed_kmh,
                         encode(ST_AsEWKB(d.geom), 'hex'))) AS k
    FROM stage_roads s
    CROSS JOIN LATERAL ST_Dump(ST_LineMerge(s.geom)) d
), cur AS (
    SELECT t.id,
           md5(concat_ws('|', t.name, t.road_class, t.oneway, t.speed_kmh,
                         encode(ST_AsEWKB(t.geom), 'hex'))) AS k
    FROM roads t
), gone AS (
    DELETE FROM roads t
    USING cur
    WHERE cur.id = t.id AND NOT EXISTS (SELECT 1 FROM src WHERE src.k = cur.k)
    RETURNING t.*
), ins AS (
    INSERT INTO roads (name, road_class, oneway, speed_kmh, geom)
    SELECT DISTINCT ON (k) name, road_class, oneway, speed_kmh, geom
    FROM src
    WHERE NOT EXISTS (SELECT 1 FROM cur WHERE cur.k = src.k)
    RETURNING *
), audit AS (
    INSERT INTO audit_log (actor, action, table_name, record_key, before, after, detail)
    SELECT %(actor)s, 'insert', 'roads', ins.id::text, NULL, to_jsonb(ins),
           jsonb_build_object('source', %(source)s, 'via', 'import')
    FROM ins
    UNION ALL
    SELECT %(actor)s, 'delete', 'roads', gone.id::text, to_jsonb(gone), NULL,
           jsonb_build_object('source', %(source)s, 'via', 'import')
    FROM gone
    RETURNING action
)
SELECT count(*) FILTER (WHERE action = 'insert'), 0, count(*) FILTER (WHERE action = 'delete')
FROM audit;
