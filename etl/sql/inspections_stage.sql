DROP TABLE IF EXISTS stage_inspections;
CREATE TEMP TABLE stage_inspections (
    row_no integer NOT NULL,
    house_id integer NOT NULL,
    inspected_on date NOT NULL,
    kind text NOT NULL,
    unit_name text NOT NULL,
    unit_id integer,
    found_hazard boolean,
    notes text
) ON COMMIT DROP;
