DROP TABLE IF EXISTS stage_schools;
CREATE TEMP TABLE stage_schools (
    row_no integer NOT NULL,
    name text NOT NULL,
    geom geometry(Point, 4326) NOT NULL
) ON COMMIT DROP;
