-- One house for its popup: the house, its unit, the key areas it lies in. Personal data
-- (landlord's name and phone) is read separately, through access control.
SELECT h.id, h.house_code, h.address,
       h.has_second_landlord, h.second_landlord_registered, h.rooms, h.beds, h.tenants,
       h.registered_tenants, h.is_registered, h.pledge_signed, h.cctv_installed,
       h.cctv_retention_days, h.is_self_built, h.last_inspected_on,
       h.has_smoke_masks, h.has_torches, h.has_extinguishers,
       u.name AS unit_name,
       ARRAY(SELECT k.kind FROM key_areas k WHERE ST_Intersects(k.geom, h.geom)
             ORDER BY k.kind) AS key_areas
FROM houses h
JOIN units u ON u.id = h.unit_id
WHERE h.id = :id
