-- Incremental refresh (risk_table.py), step 0: the houses whose rows may differ from the
-- table's since the run's data version :since, kept for this transaction.
-- Every change in (:since, :version] is local (checked by the caller) and recorded its
-- footprint in data_changes (migration 0021): the units of the houses it touched and the box
-- of their points ({west, south, east, north}), before and after. A house's state now is what its last change left, so it
-- lies in that change's footprint: its unit is among the change's units and its point inside
-- the box, or it has no point (a change of houses without points records units only).
-- A deleted house is in no footprint now: the rows of houses that no longer exist are added.
CREATE TEMP TABLE risk_touched ON COMMIT DROP AS
SELECT h.id AS house_id
FROM data_changes d
JOIN houses h
  ON h.unit_id = ANY (d.unit_ids)
 AND (h.geom IS NULL
      OR h.geom && ST_MakeEnvelope(d.extent[1], d.extent[2], d.extent[3], d.extent[4], 4326))
WHERE d.version > CAST(:since AS bigint) AND d.version <= CAST(:version AS bigint)
UNION
SELECT r.house_id
FROM risk_ranking r
WHERE r.method = :method AND r.audience = 'none'
  AND NOT EXISTS (SELECT 1 FROM houses h WHERE h.id = r.house_id)
