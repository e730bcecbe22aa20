-- 逾期未整改: the hazards overdue on :as_of (not rectified by then, the deadline before it; the
-- deadline day itself is not late), with the number of days past the deadline.
SELECT * FROM (
    -- @include hazards.sql
) o
WHERE o.overdue
