-- The hazards in scope: their state on D (:as_of), under the scope's hazard filters
-- ({{hazard_scope}} on z: category, severity, status, department, discovery dates).
SELECT z.*
FROM (
    -- @include _hazard_state.sql
) z
WHERE {{hazard_scope}}
