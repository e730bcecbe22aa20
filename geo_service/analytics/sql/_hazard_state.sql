-- Every hazard found on or before D (:as_of) with its state on D, under the hazard filters.
-- The state (deadline, rectified, transferred, overdue) is hazard_state()'s, defined once in
-- the database (geo_service/domain/sql/0009_hazard_rules.sql).
SELECT s.id, s.hazard_code, s.house_id, s.category, s.severity, s.found_on, s.department_id,
       s.rectified_on, s.transferred_on, s.due_on AS due, s.rectified, s.transferred,
       s.overdue, s.days_overdue
FROM hazard_state(CAST(:as_of AS date)) s
WHERE (CAST(:categories AS text[]) IS NULL OR s.category = ANY (CAST(:categories AS text[])))
  AND (CAST(:severity AS text) IS NULL OR s.severity = CAST(:severity AS text))
  AND (CAST(:found_from AS date) IS NULL OR s.found_on >= CAST(:found_from AS date))
  AND (CAST(:found_to AS date) IS NULL OR s.found_on <= CAST(:found_to AS date))
