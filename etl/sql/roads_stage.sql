DROP TABLE IF EXISTS stage_roads;
CREATE TEMP TABLE stage_roads (
    row_no integer NOT NULL,
    name text,
    road_class text NOT NULL,
    oneway smallint NOT NULL,
    speed_kmh double precision,
    geom geometry(Geometry, 4326) NOT NULL
) ON COMMIT DROP;
