DROP TABLE IF EXISTS stage_incidents;
CREATE TEMP TABLE stage_incidents (
    row_no integer NOT NULL,
    incident_code text NOT NULL,
    occurred_at timestamptz NOT NULL,
    category text NOT NULL,
    address text NOT NULL,
    summary text,
    unit_id integer,
    lon double precision,
    lat double precision,
    geocode_method text,
    geocode_confidence double precision,
    needs_review boolean
) ON COMMIT DROP;
