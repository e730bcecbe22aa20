-- Coordinates only where they were given: geocoded points are found again on import.
SELECT h.house_code, u.name AS unit_name, h.address,
       CASE WHEN h.geocode_method = 'given' THEN ST_X(h.geom) END AS lon,
       CASE WHEN h.geocode_method = 'given' THEN ST_Y(h.geom) END AS lat,
       CASE WHEN h.geocode_method = 'given' THEN 'WGS84' END AS crs,
       h.landlord_name, h.landlord_id_number, h.landlord_phone, h.second_landlord_name,
       h.second_landlord_registered, h.rooms, h.beds, h.tenants, h.registered_tenants,
       h.is_registered, h.pledge_signed, h.cctv_installed, h.cctv_retention_days,
       h.is_self_built, h.last_inspected_on, h.has_smoke_masks, h.has_torches,
       h.has_extinguishers, h.electricity_kwh_month
FROM houses h
JOIN units u ON u.id = h.unit_id
ORDER BY h.house_code;
