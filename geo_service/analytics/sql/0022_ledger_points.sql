-- A house given its first point, or losing it, made the houses' ledger trigger fail: it
-- compared the point with an SRID-less 'POINT EMPTY' (mixed SRID). Points are now compared as
-- the statement's own row filter compares them (IS DISTINCT FROM).
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
                   WHERE n.geom IS DISTINCT FROM o.geom), '{}'),
               coalesce(array_agg(n.id ORDER BY n.id) FILTER (
                   WHERE n.geom IS DISTINCT FROM o.geom
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
