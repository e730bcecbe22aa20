-- 群租房 sheet → houses, by 房屋编号, with audit. A point found from the address is kept when
-- the address did not change and the stored point is not a flagged fallback: a point a
-- reviewer corrected is not overwritten by a re-import.
-- Figures take effect on the import's 台账日期 (geo.effective, set by the importer): the
-- history triggers (0014_house_history.sql) keep the superseded figures, and a 台账 dated
-- before a house's current figures goes into its history only (detail.backdated).
-- Points are compared on a 1e-9° (0.1 mm) grid: Excel keeps 15 significant digits, so
-- coordinates that went through a workbook differ in the last bits without having moved.
WITH src AS (
    SELECT s.*,
           (o.id IS NOT NULL AND s.geocode_method IS DISTINCT FROM 'given'
            AND o.address = s.address AND NOT o.needs_review AND o.geom IS NOT NULL) AS keep_point,
           o.geom AS old_geom, o.geocode_method AS old_method,
           o.geocode_confidence AS old_confidence
    FROM stage_houses s
    LEFT JOIN houses o ON o.house_code = s.house_code
), new AS (
    SELECT src.*,
           CASE WHEN keep_point THEN old_geom
                WHEN lon IS NULL THEN NULL
                ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326) END AS geom,
           CASE WHEN keep_point THEN old_method ELSE geocode_method END AS method,
           CASE WHEN keep_point THEN old_confidence ELSE geocode_confidence END AS confidence,
           CASE WHEN keep_point THEN false ELSE needs_review END AS review
    FROM src
), old AS (
    -- Geometry as GeoJSON up front: to_jsonb() of a geometry column is 40× slower.
    SELECT t.id, t.house_code, t.unit_id, t.address, t.landlord_name, t.landlord_id_number,
           t.landlord_phone, t.second_landlord_name, t.second_landlord_registered, t.rooms,
           t.beds, t.tenants, t.registered_tenants, t.is_registered, t.pledge_signed,
           t.cctv_installed, t.cctv_retention_days, t.is_self_built, t.last_inspected_on,
           t.has_smoke_masks, t.has_torches, t.has_extinguishers, t.electricity_kwh_month,
           t.geocode_method, t.geocode_confidence, t.needs_review, t.updated_at, t.valid_from,
           ST_AsGeoJSON(t.geom)::jsonb AS geom
    FROM houses t JOIN stage_houses s ON s.house_code = t.house_code
), up AS (
    INSERT INTO houses AS t (
        house_code, unit_id, address, landlord_name, landlord_id_number, landlord_phone,
        second_landlord_name, second_landlord_registered, rooms, beds, tenants,
        registered_tenants, is_registered, pledge_signed, cctv_installed, cctv_retention_days,
        is_self_built, last_inspected_on, has_smoke_masks, has_torches, has_extinguishers,
        electricity_kwh_month, geom, geocode_method, geocode_confidence, needs_review
    )
    SELECT house_code, unit_id, address, landlord_name, landlord_id_number, landlord_phone,
           second_landlord_name, second_landlord_registered, rooms, beds, tenants,
           registered_tenants, is_registered, pledge_signed, cctv_installed,
           cctv_retention_days, is_self_built, last_inspected_on, has_smoke_masks, has_torches,
           has_extinguishers, electricity_kwh_month, geom, method, confidence, review
    FROM new
    ON CONFLICT (house_code) DO UPDATE SET
        unit_id = EXCLUDED.unit_id,
        address = EXCLUDED.address,
        landlord_name = EXCLUDED.landlord_name,
        landlord_id_number = EXCLUDED.landlord_id_number,
        landlord_phone = EXCLUDED.landlord_phone,
        second_landlord_name = EXCLUDED.second_landlord_name,
        second_landlord_registered = EXCLUDED.second_landlord_registered,
        rooms = EXCLUDED.rooms,
        beds = EXCLUDED.beds,
        tenants = EXCLUDED.tenants,
        registered_tenants = EXCLUDED.registered_tenants,
        is_registered = EXCLUDED.is_registered,
        pledge_signed = EXCLUDED.pledge_signed,
        cctv_installed = EXCLUDED.cctv_installed,
        cctv_retention_days = EXCLUDED.cctv_retention_days,
        is_self_built = EXCLUDED.is_self_built,
        last_inspected_on = EXCLUDED.last_inspected_on,
        has_smoke_masks = EXCLUDED.has_smoke_masks,
        has_torches = EXCLUDED.has_torches,
        has_extinguishers = EXCLUDED.has_extinguishers,
        electricity_kwh_month = EXCLUDED.electricity_kwh_month,
        geom = EXCLUDED.geom,
        geocode_method = EXCLUDED.geocode_method,
        geocode_confidence = EXCLUDED.geocode_confidence,
        needs_review = EXCLUDED.needs_review,
        updated_at = now()
    -- A 台账 dated before the house's current figures changes only its history: it is
    -- compared with the figures it stood at on that day.
    WHERE CASE WHEN t.valid_from > house_effective_on()
               THEN house_figures_on(t.id, house_effective_on()) IS DISTINCT FROM house_figures(
                   EXCLUDED.rooms, EXCLUDED.beds, EXCLUDED.tenants, EXCLUDED.registered_tenants,
                   EXCLUDED.is_registered, EXCLUDED.pledge_signed,
                   nullif(btrim(EXCLUDED.second_landlord_name), '') IS NOT NULL,
                   EXCLUDED.second_landlord_registered, EXCLUDED.cctv_installed,
                   EXCLUDED.cctv_retention_days, EXCLUDED.is_self_built,
                   EXCLUDED.last_inspected_on, EXCLUDED.has_smoke_masks, EXCLUDED.has_torches,
                   EXCLUDED.has_extinguishers, EXCLUDED.electricity_kwh_month)
               ELSE (t.unit_id, t.address, t.landlord_name, t.landlord_id_number, t.landlord_phone,
                   t.second_landlord_name, t.second_landlord_registered, t.rooms, t.beds, t.tenants,
                   t.registered_tenants, t.is_registered, t.pledge_signed, t.cctv_installed,
                   t.cctv_retention_days, t.is_self_built, t.last_inspected_on, t.has_smoke_masks,
                   t.has_torches, t.has_extinguishers, t.electricity_kwh_month,
                   ST_AsEWKB(ST_SnapToGrid(t.geom, 1e-9)), t.geocode_method, t.geocode_confidence, t.needs_review)
                    IS DISTINCT FROM
                  (EXCLUDED.unit_id, EXCLUDED.address, EXCLUDED.landlord_name,
                   EXCLUDED.landlord_id_number, EXCLUDED.landlord_phone, EXCLUDED.second_landlord_name,
                   EXCLUDED.second_landlord_registered, EXCLUDED.rooms, EXCLUDED.beds, EXCLUDED.tenants,
                   EXCLUDED.registered_tenants, EXCLUDED.is_registered, EXCLUDED.pledge_signed,
                   EXCLUDED.cctv_installed, EXCLUDED.cctv_retention_days, EXCLUDED.is_self_built,
                   EXCLUDED.last_inspected_on, EXCLUDED.has_smoke_masks, EXCLUDED.has_torches,
                   EXCLUDED.has_extinguishers, EXCLUDED.electricity_kwh_month,
                   ST_AsEWKB(ST_SnapToGrid(EXCLUDED.geom, 1e-9)), EXCLUDED.geocode_method, EXCLUDED.geocode_confidence,
                   EXCLUDED.needs_review)
               END
    RETURNING t.id, t.house_code, t.unit_id, t.address, t.landlord_name, t.landlord_id_number,
              t.landlord_phone, t.second_landlord_name, t.second_landlord_registered, t.rooms,
              t.beds, t.tenants, t.registered_tenants, t.is_registered, t.pledge_signed,
              t.cctv_installed, t.cctv_retention_days, t.is_self_built, t.last_inspected_on,
              t.has_smoke_masks, t.has_torches, t.has_extinguishers, t.electricity_kwh_month,
              t.geocode_method, t.geocode_confidence, t.needs_review, t.updated_at, t.valid_from,
              ST_AsGeoJSON(t.geom)::jsonb AS geom, (t.xmax = 0) AS inserted
), audit AS (
    INSERT INTO audit_log (actor, action, table_name, record_key, before, after, detail)
    SELECT %(actor)s,
           CASE WHEN up.inserted THEN 'insert' ELSE 'update' END,
           'houses',
           up.house_code,
           to_jsonb(old),
           to_jsonb(up) - 'inserted',
           jsonb_build_object('source', %(source)s, 'row', s.row_no, 'via', 'import',
                              'effective', house_effective_on(),
                              'backdated', up.valid_from > house_effective_on())
    FROM up
    JOIN stage_houses s ON s.house_code = up.house_code
    LEFT JOIN old ON old.id = up.id
    RETURNING action
)
SELECT count(*) FILTER (WHERE action = 'insert'), count(*) FILTER (WHERE action = 'update')
FROM audit;
