DROP TABLE IF EXISTS stage_key_areas;
CREATE TEMP TABLE stage_key_areas (
    row_no integer NOT NULL,
    name text NOT NULL,
    geom geometry(MultiPolygon, 4326) NOT NULL
) ON COMMIT DROP;
