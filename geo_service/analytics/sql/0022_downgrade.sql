-- The function as migration 0015 wrote it.
CREATE OR REPLACE FUNCTION ledger_houses_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    ids integer[];
    moved integer[];
    hazards integer[] := '{}';
BEGIN
    IF current_setting('geo.ledger_bulk', true) = 'on' THEN
        RETURN NULL;  -- a bulk load counts everything once at its end (ledger_rebuild)
    END IF;
    IF TG_OP = 'INSERT' THEN
        ids := ARRAY(SELECT id FROM new_rows ORDER BY id);
        moved := ids;
    ELSE
        SELECT coalesce(array_agg(n.id ORDER BY n.id), '{}'),
               coalesce(array_agg(n.id ORDER BY n.id) FILTER (
                   WHERE NOT ST_Equals(coalesce(n.geom, 'POINT EMPTY'),
                                       coalesce(o.geom, 'POINT EMPTY'))), '{}'),
               coalesce(array_agg(n.id ORDER BY n.id) FILTER (
                   WHERE NOT ST_Equals(coalesce(n.geom, 'POINT EMPTY'),
                                       coalesce(o.geom, 'POINT EMPTY'))
                      OR n.unit_id <> o.unit_id
                      OR n.is_self_built IS DISTINCT FROM o.is_self_built
                      OR house_effective_on() < o.valid_from), '{}')
        INTO ids, moved, hazards
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.house_code, n.unit_id, n.valid_from, n.rooms, n.beds, n.tenants, n.registered_tenants,
               n.is_registered, n.pledge_signed, n.has_second_landlord,
               n.second_landlord_registered, n.cctv_installed, n.cctv_retention_days,
               n.is_self_built, n.last_inspected_on)
              IS DISTINCT FROM
              (o.house_code, o.unit_id, o.valid_from, o.rooms, o.beds, o.tenants, o.registered_tenants,
               o.is_registered, o.pledge_signed, o.has_second_landlord,
               o.second_landlord_registered, o.cctv_installed, o.cctv_retention_days,
               o.is_self_built, o.last_inspected_on)
           OR n.geom IS DISTINCT FROM o.geom
           OR house_effective_on() < o.valid_from;
    END IF;
    PERFORM ledger_refresh_houses(ids, moved, hazards);
    RETURN NULL;
END
$$;
