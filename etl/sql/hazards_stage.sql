DROP TABLE IF EXISTS stage_hazards;
CREATE TEMP TABLE stage_hazards (
    row_no integer NOT NULL,
    hazard_code text NOT NULL,
    house_id integer NOT NULL,
    category text NOT NULL,
    severity text NOT NULL,
    found_on date NOT NULL,
    deadline_on date,
    transferred_on date,
    rectified_on date,
    verified_on date,
    posted_on_wall boolean NOT NULL,
    entered_in_system boolean NOT NULL,
    department_id integer,
    description text
) ON COMMIT DROP;
