-- Until the database holds the rule (hazard_state(d), migration 0009): every hazard found on
-- or before :as_of with its state that day, the columns of hazard_state(d), from the stored
-- deadline due_on. rectified = rectified on or before the day; overdue = not rectified and the
-- day past the deadline (the deadline day itself is not late).
SELECT s.*,
       CASE WHEN s.rectified THEN 'rectified' WHEN s.overdue THEN 'overdue' ELSE 'open' END
           AS status
FROM (
    SELECT z.id, z.hazard_code, z.house_id, z.category, z.severity, z.found_on, z.department_id,
           z.deadline_on, z.due_on, z.rectified_on, z.transferred_on, z.verified_on,
           coalesce(z.rectified_on <= CAST(:as_of AS date), false) AS rectified,
           (z.posted_on_wall AND z.entered_in_system
            AND (z.transferred_on IS NULL OR z.transferred_on <= CAST(:as_of AS date)))
               AS transferred,
           (NOT coalesce(z.rectified_on <= CAST(:as_of AS date), false)
            AND CAST(:as_of AS date) > z.due_on) AS overdue,
           GREATEST(0, CAST(:as_of AS date) - z.due_on) AS days_overdue,
           z.due_on - CAST(:as_of AS date) AS days_left
    FROM hazards z
    WHERE z.found_on <= CAST(:as_of AS date)
) s
