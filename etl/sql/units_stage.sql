DROP TABLE IF EXISTS stage_units;
CREATE TEMP TABLE stage_units (
    row_no integer NOT NULL,
    name text NOT NULL,
    kind text NOT NULL,
    has_task_list boolean,
    has_annual_plan boolean,
    holds_meetings boolean,
    accountability_evaluated boolean
) ON COMMIT DROP;
