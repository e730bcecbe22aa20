-- Undo 0012_field. Visits recorded as checked/refused stay (the old constraint is NOT VALID
-- for existing rows), so a downgrade loses no visit.
DROP TABLE IF EXISTS visit_photos;
DROP TABLE IF EXISTS field_visits;
DROP TABLE IF EXISTS route_plan_members;
DROP FUNCTION IF EXISTS audit_photo_write();
DROP FUNCTION IF EXISTS patrol_members();
DROP INDEX IF EXISTS uq_route_plans_published_day;
ALTER TABLE route_plans DROP COLUMN IF EXISTS published_by;
ALTER TABLE route_plans DROP COLUMN IF EXISTS published_at;
ALTER TABLE review_visits DROP CONSTRAINT visit_outcome;
ALTER TABLE review_visits ADD CONSTRAINT visit_outcome CHECK (outcome IN (
    'rectified', 'still_open', 'new_hazard', 'not_found', 'no_access')) NOT VALID;
