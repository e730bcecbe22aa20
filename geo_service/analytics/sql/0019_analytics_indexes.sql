-- Indexes for the computed analytics at city scale (docs/benchmarks.md): the first pages of
-- the overdue and CCTV lists.

-- Hazards not rectified on D: rectified_on NULL or after D, i.e. coalesce(…, 'infinity') > D,
-- which for today is the open hazards alone; due_on next, so "due by D + N" narrows the range.
-- INCLUDE: what overdue.sql's matches read, so the scan never visits the table.
CREATE INDEX ix_hazards_unrectified_on
    ON hazards ((coalesce(rectified_on, 'infinity'::date)), due_on)
    INCLUDE (found_on, rectified_on, house_id, id, hazard_code);

-- A hazard's house, its unit and since when its figures hold (house_state's current branch),
-- read without the wide house row (address, geometry, landlords): one probe per matched hazard.
CREATE INDEX ix_houses_id_unit ON houses (id) INCLUDE (unit_id, valid_from);

-- The CCTV list's order within a unit (cctv_houses.sql): a unit's houses by code, so the first
-- page stops after the first units' houses.
CREATE INDEX ix_houses_unit_code ON houses (unit_id, house_code);

ANALYZE hazards, houses;
