-- Per unit (村/社区) as of D: the house and hazard codes behind each 附件1 deduction, as
-- `unit_records.sql`, from the ledger: the houses on D from its segments (the house as
-- recorded on D, its unit and key-area bits in one narrow row; a partial index holds the ones
-- behind a deduction), the hazards from its spans covering D (hazards behind a deduction, in
-- their state, with their house's unit and key-area bits) — index-only, no hazard_state(D).
-- Sorted as unit_records.sql sorts.
WITH house_rec AS (
    SELECT l.unit_id,
           array_agg(l.house_code) FILTER (WHERE NOT l.is_registered) AS houses_unregistered,
           array_agg(l.house_code) FILTER (WHERE l.registered_tenants < l.tenants)
               AS tenant_points_below_target,
           array_agg(l.house_code)
               FILTER (WHERE l.has_second_landlord AND NOT l.second_landlord_registered)
               AS second_landlords_unregistered,
           array_agg(l.house_code) FILTER (WHERE NOT l.pledge_signed) AS houses_without_pledge
    FROM ledger_house_segments l
    WHERE (NOT l.is_registered OR l.registered_tenants < l.tenants
           OR (l.has_second_landlord AND NOT l.second_landlord_registered)
           OR NOT l.pledge_signed)
      AND l.valid_from <= CAST(:as_of AS date) AND CAST(:as_of AS date) < l.valid_to
      AND {{ledger_house_scope}}
    GROUP BY l.unit_id
), hazard_rec AS (
    SELECT l.unit_id,
           array_agg(l.hazard_code) FILTER (WHERE NOT l.transferred) AS not_transferred,
           array_agg(l.hazard_code) FILTER (WHERE l.status = 'overdue') AS overdue,
           array_agg(l.hazard_code) FILTER (WHERE l.status <> 'rectified') AS unrectified
    FROM ledger_hazard_spans l
    WHERE l.from_day <= CAST(:as_of AS date) AND CAST(:as_of AS date) < l.to_day
      AND {{ledger_house_scope}} AND {{ledger_hazard_scope}}
    GROUP BY l.unit_id
)
-- @include _unit_records_out.sql
