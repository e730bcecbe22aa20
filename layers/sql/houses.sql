-- 群租房 as recorded on :as_of (house_state(), docs/history.md): a house whose figures changed
-- later shows the figures of that day; one first recorded later is not there yet.
-- Never the landlord's name, ID number or phone (personal data).
-- LEFT JOIN on units' primary key: PostgreSQL drops the join when unit_name is not selected
-- (vector tiles), so tiles read the houses (and their history) and GiST index only.
SELECT h.id AS fid, h.house_code, h.unit_id, u.name AS unit_name, h.address,
       h.rooms, h.beds, h.tenants, h.registered_tenants, h.is_registered, h.pledge_signed,
       h.cctv_installed, h.cctv_retention_days, h.is_self_built, h.last_inspected_on,
       h.geocode_method, h.needs_review,
       h.has_second_landlord, h.second_landlord_registered,
       h.has_smoke_masks, h.has_torches, h.has_extinguishers, h.geom
FROM house_state(CAST(:as_of AS date)) h
LEFT JOIN units u ON u.id = h.unit_id
