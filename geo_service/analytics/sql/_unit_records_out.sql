-- The codes behind each 附件1 deduction per unit, sorted by code point, from the CTEs house_rec
-- and hazard_rec: the one output of unit_records.sql and unit_records_ledger.sql.
SELECT u.id AS unit_id,
       ARRAY(SELECT c FROM unnest(hr.houses_unregistered) c ORDER BY c COLLATE "C")
           AS rec_houses_unregistered,
       ARRAY(SELECT c FROM unnest(hr.tenant_points_below_target) c ORDER BY c COLLATE "C")
           AS rec_tenant_points_below_target,
       ARRAY(SELECT c FROM unnest(hr.second_landlords_unregistered) c ORDER BY c COLLATE "C")
           AS rec_second_landlords_unregistered,
       ARRAY(SELECT c FROM unnest(hr.houses_without_pledge) c ORDER BY c COLLATE "C")
           AS rec_houses_without_pledge,
       ARRAY(SELECT c FROM unnest(zr.not_transferred) c ORDER BY c COLLATE "C") AS rec_hazards_not_transferred,
       ARRAY(SELECT c FROM unnest(zr.overdue) c ORDER BY c COLLATE "C") AS rec_hazards_overdue,
       ARRAY(SELECT c FROM unnest(zr.unrectified) c ORDER BY c COLLATE "C") AS rec_hazards_unrectified
FROM units u
LEFT JOIN house_rec hr ON hr.unit_id = u.id
LEFT JOIN hazard_rec zr ON zr.unit_id = u.id
WHERE u.kind IN ('village', 'community')
  AND {{unit_scope}}
