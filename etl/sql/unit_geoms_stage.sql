DROP TABLE IF EXISTS stage_unit_geoms;
CREATE TEMP TABLE stage_unit_geoms (
    row_no integer NOT NULL,
    name text NOT NULL,
    kind text NOT NULL,
    geom geometry(Geometry, 4326) NOT NULL
) ON COMMIT DROP;
