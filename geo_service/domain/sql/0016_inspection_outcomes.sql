-- Inspections (检查记录) with their outcome, so the campaign can learn where hazards are found
-- (issue 16, docs/inspections.md). Expects the setting geo.town_tz (the migration sets it): the
-- town's time zone, in which a patrol visit's instant is a day.

-- Kind vocabulary of the 检查记录 sheet: 自查 self, 专项检查 special, 督导 supervision (was
-- 'joint', 联合督查: the supervision group's inspection), 回头看 review.
ALTER TABLE inspections DROP CONSTRAINT inspection_kind;
UPDATE inspections SET kind = 'supervision' WHERE kind = 'joint';
ALTER TABLE inspections ADD CONSTRAINT inspection_kind
    CHECK (kind IN ('self', 'special', 'supervision', 'review'));

-- 检查单位 as written (unit_name) and the unit it names when it names a known one (unit_id);
-- 是否发现隐患 (found_hazard, NULL = not recorded); where the row came from (source):
-- 'sheet' an imported 检查记录 row, 'visit' a patrol team's visit (routes record, /field),
-- 'other' anything else (rows written before this migration that were no visit).
ALTER TABLE inspections
    ADD COLUMN unit_name varchar(100),
    ADD COLUMN unit_id integer REFERENCES units (id) ON DELETE SET NULL,
    ADD COLUMN found_hazard boolean,
    ADD COLUMN source varchar(10) NOT NULL DEFAULT 'other',
    ADD CONSTRAINT inspection_source CHECK (source IN ('sheet', 'visit', 'other')),
    ADD CONSTRAINT inspection_sheet_unit CHECK (source <> 'sheet' OR unit_name IS NOT NULL);
-- The natural key of a 检查记录 row: a re-import of the same row updates it. Visits have their
-- own identity (field_visits.client_id): two visits to a house on one day are two rows.
CREATE UNIQUE INDEX uq_inspections_sheet_key ON inspections (house_id, inspected_on, kind, unit_name)
    WHERE source = 'sheet';
CREATE INDEX ix_inspections_unit ON inspections (unit_id);

-- The inspection that found a hazard, where known.
ALTER TABLE hazards ADD COLUMN inspection_id integer REFERENCES inspections (id) ON DELETE SET NULL;
CREATE INDEX ix_hazards_inspection ON hazards (inspection_id);

-- Rows written before: the review inspections a patrol visit wrote (record_visit, same house,
-- recorder and town day) are visits; their outcome is whether the visit recorded a new hazard,
-- unknown when nobody got in (无人/拒绝入户/未找到 only).
WITH v AS (
    SELECT i.id,
           bool_or(r.outcome = 'new_hazard') AS new_hazard,
           bool_or(r.outcome IN ('rectified', 'still_open', 'new_hazard', 'checked')) AS entered
    FROM inspections i
    JOIN review_visits r
      ON r.house_id = i.house_id
     AND r.recorded_by IS NOT DISTINCT FROM i.inspector
     AND (r.visited_at AT TIME ZONE current_setting('geo.town_tz'))::date = i.inspected_on
    WHERE i.kind = 'review'
    GROUP BY i.id
)
UPDATE inspections i
SET source = 'visit', found_hazard = CASE WHEN v.entered THEN v.new_hazard END
FROM v WHERE v.id = i.id;
UPDATE hazards h SET inspection_id = r.inspection_id
FROM (
    SELECT r.hazard_id, min(i.id) AS inspection_id
    FROM review_visits r
    JOIN inspections i
      ON i.source = 'visit' AND i.house_id = r.house_id
     AND i.inspector IS NOT DISTINCT FROM r.recorded_by
     AND i.inspected_on = (r.visited_at AT TIME ZONE current_setting('geo.town_tz'))::date
    WHERE r.outcome = 'new_hazard' AND r.hazard_id IS NOT NULL
    GROUP BY r.hazard_id
) r
WHERE h.id = r.hazard_id;

-- Every inspection with its outcome: the one place the risk model reads its labels from.
-- found_hazard as recorded, else true when a hazard links to it, else NULL (not recorded);
-- hazards_found / major_found count the hazards linked to it. security_invoker: each role
-- sees the rows its policies on inspections and hazards let it see.
CREATE VIEW inspection_events WITH (security_invoker = true) AS
SELECT i.id,
       i.house_id,
       i.inspected_on,
       i.kind,
       i.unit_id,
       i.unit_name,
       coalesce(i.found_hazard, CASE WHEN f.n > 0 THEN true END) AS found_hazard,
       coalesce(f.n, 0) AS hazards_found,
       coalesce(f.major, 0) AS major_found,
       i.source
FROM inspections i
LEFT JOIN (
    SELECT inspection_id, count(*) AS n, count(*) FILTER (WHERE severity = 'major') AS major
    FROM hazards WHERE inspection_id IS NOT NULL GROUP BY inspection_id
) f ON f.inspection_id = i.id;
GRANT SELECT ON inspection_events TO geo_api_admin, geo_api_leader, geo_api_supervisor,
    geo_api_police, geo_api_village, geo_api_department;
