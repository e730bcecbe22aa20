-- Until the database holds the rule (hazard_state(d), migration 0009): every hazard found on
-- or before D (:as_of) with its state on D, the columns of hazard_state(d), the deadline
-- computed from the rules file (SPEC §3.3, §6). Must agree with geo_service.domain.rules:
--   due_on     = the notice's deadline, else found_on + major_days (重大)
--                or found_on + general_months calendar months (一般; Jan 31 + 3 months = Apr 30)
--   rectified  = rectified on or before D (a later rectification has not happened yet on D)
--   transferred= posted on the wall AND entered in the system, and the transfer date (when
--                recorded) is on or before D
--   overdue    = not rectified on D and D > due (the deadline day itself is not overdue)
-- `due` repeats due_on for tests/test_rules_sql.py until it reads hazard_state(d).
SELECT s.*, s.due_on AS due,
       (NOT s.rectified AND CAST(:as_of AS date) > s.due_on) AS overdue,
       GREATEST(0, CAST(:as_of AS date) - s.due_on) AS days_overdue,
       s.due_on - CAST(:as_of AS date) AS days_left,
       CASE WHEN s.rectified THEN 'rectified'
            WHEN CAST(:as_of AS date) > s.due_on THEN 'overdue'
            ELSE 'open' END AS status
FROM (
    SELECT z.id, z.hazard_code, z.house_id, z.category, z.severity, z.found_on,
           z.department_id, z.deadline_on, z.rectified_on, z.transferred_on, z.verified_on,
           coalesce(
               z.deadline_on,
               CASE WHEN z.severity = 'major'
                    THEN z.found_on + CAST(:major_days AS integer)
                    ELSE CAST(z.found_on + make_interval(months => CAST(:general_months AS integer))
                              AS date)
               END) AS due_on,
           (z.rectified_on IS NOT NULL AND z.rectified_on <= CAST(:as_of AS date)) AS rectified,
           (z.posted_on_wall AND z.entered_in_system
            AND (z.transferred_on IS NULL OR z.transferred_on <= CAST(:as_of AS date)))
               AS transferred
    FROM hazards z
    WHERE z.found_on <= CAST(:as_of AS date)
) s
