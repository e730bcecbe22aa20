-- The plan's rule parameters live in the database, and a hazard's state on a day is defined
-- here once (docs/rules.md, docs/architecture.md). Every surface — analytics, layers, OGC,
-- tiles, the map and its exports, the bulletin, risk, patrol targets — reads hazard_state(d).

-- One row: the rules in force, loaded from the town's rules file by `geo-service rules apply`
-- (also run by `geo-service db upgrade`). fingerprint identifies the parameters, so a server
-- started with another rules file notices the difference and refuses to answer.
CREATE TABLE rule_params (
    id boolean PRIMARY KEY DEFAULT true CONSTRAINT rule_params_one_row CHECK (id),
    major_days integer NOT NULL CONSTRAINT rule_major_days CHECK (major_days >= 0),
    general_months integer NOT NULL CONSTRAINT rule_general_months CHECK (general_months >= 0),
    cctv_min_rooms integer NOT NULL,
    cctv_min_beds integer NOT NULL,
    cctv_min_tenants integer NOT NULL,
    cctv_min_retention_days integer NOT NULL,
    campus_buffer_m double precision NOT NULL,
    fingerprint text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT ON rule_params TO geo_api;

-- 整改期限 (SPEC §3.3): the notice's deadline, else found_on + major_days (重大) or
-- + general_months calendar months (一般; PostgreSQL clamps to the month's end:
-- Jan 31 + 3 months = Apr 30). The only place the deadline arithmetic is written.
CREATE FUNCTION hazard_due(found_on date, severity text, deadline_on date) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(deadline_on,
                    CASE WHEN severity = 'major' THEN found_on + r.major_days
                         ELSE CAST(found_on + make_interval(months => r.general_months) AS date)
                    END)
    FROM rule_params r
$$;

-- hazards.due_on is derived, never written by a client: whatever an insert or update sends,
-- the stored deadline is the rule's. `rules apply` re-derives every row when the rules change.
CREATE FUNCTION hazards_derive_due() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.due_on := hazard_due(NEW.found_on, NEW.severity, NEW.deadline_on);
    RETURN NEW;
END
$$;
CREATE TRIGGER hazards_derive_due
    BEFORE INSERT OR UPDATE OF found_on, severity, deadline_on, due_on ON hazards
    FOR EACH ROW EXECUTE FUNCTION hazards_derive_due();

-- A hazard's state on day d (SPEC §3.3, §6), for every hazard found on or before d:
--   rectified    rectified on or before d (a later rectification has not happened yet on d)
--   transferred  posted on the wall AND entered in the system, and transferred (when the date
--                is recorded) on or before d
--   overdue      not rectified on d and d past the deadline (the deadline day is not late)
--   days_overdue d − due_on while overdue, else 0;  days_left  due_on − d
--   status       'rectified' | 'overdue' | 'open'
-- Plain SQL, STABLE, invoker's rights: PostgreSQL inlines it into the calling query, so filters
-- reach the hazards' indexes and row-level security applies as to the table itself.
CREATE FUNCTION hazard_state(d date)
RETURNS TABLE (
    id integer, hazard_code text, house_id integer, category text, severity text,
    found_on date, department_id integer, deadline_on date, due_on date, rectified_on date,
    transferred_on date, verified_on date, posted_on_wall boolean, entered_in_system boolean,
    rectified boolean, transferred boolean, overdue boolean, days_overdue integer,
    days_left integer, status text, description text
)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT z.id, CAST(z.hazard_code AS text), z.house_id, CAST(z.category AS text),
           CAST(z.severity AS text), z.found_on, z.department_id, z.deadline_on, z.due_on,
           z.rectified_on, z.transferred_on, z.verified_on, z.posted_on_wall,
           z.entered_in_system,
           s.rectified,
           z.posted_on_wall AND z.entered_in_system
               AND (z.transferred_on IS NULL OR z.transferred_on <= d),
           NOT s.rectified AND d > z.due_on,
           CASE WHEN NOT s.rectified AND d > z.due_on THEN d - z.due_on ELSE 0 END,
           z.due_on - d,
           CASE WHEN s.rectified THEN 'rectified'
                WHEN d > z.due_on THEN 'overdue'
                ELSE 'open' END,
           z.description
    FROM hazards z
    CROSS JOIN LATERAL (
        SELECT z.rectified_on IS NOT NULL AND z.rectified_on <= d AS rectified
    ) s
    WHERE z.found_on <= d
$$;
GRANT EXECUTE ON FUNCTION hazard_due(date, text, date), hazard_state(date) TO geo_api;

-- The response cache's answers depend on the rules too (docs/cache.md).
CREATE TRIGGER data_change_mark_ins AFTER INSERT ON rule_params
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION data_change_mark_rows();
CREATE TRIGGER data_change_mark_upd AFTER UPDATE ON rule_params
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION data_change_mark_rows();
CREATE TRIGGER data_change_mark_del AFTER DELETE ON rule_params
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION data_change_mark_rows();
CREATE TRIGGER data_change_mark AFTER TRUNCATE ON rule_params
    FOR EACH STATEMENT EXECUTE FUNCTION data_change_mark();
