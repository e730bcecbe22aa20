DROP TABLE IF EXISTS stage_addresses;
CREATE TEMP TABLE stage_addresses (
    row_no integer NOT NULL,
    full_address text NOT NULL,
    normalized text NOT NULL,
    unit_id integer,
    geom geometry(Point, 4326) NOT NULL
) ON COMMIT DROP;
