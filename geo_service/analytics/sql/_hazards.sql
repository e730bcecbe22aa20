-- The hazards in scope: every hazard found on or before D (:as_of) in its state on D, as the
-- database defines it once (hazard_state(), geo_service/domain/sql/0009_hazard_rules.sql),
-- under the scope's hazard filters ({{hazard_scope}} on z: category, severity, status,
-- department, discovery dates).
SELECT z.*
FROM hazard_state(CAST(:as_of AS date)) z
WHERE {{hazard_scope}}
