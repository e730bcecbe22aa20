-- Houses under the filters, one row each, for GeoJSON/CSV/XLSX exports (no personal data),
-- with their hazards unrectified and overdue on :as_of in hazard_state()'s terms.
SELECT h.house_code, u.name AS unit_name, h.address, h.rooms, h.beds, h.tenants,
       h.registered_tenants, h.is_registered, h.pledge_signed, h.cctv_installed,
       h.cctv_retention_days, h.is_self_built, h.last_inspected_on,
       count(z.id) FILTER (WHERE NOT z.rectified) AS open_hazards,
       count(z.id) FILTER (WHERE z.overdue) AS overdue_hazards,
       round(ST_X(h.geom)::numeric, 6) AS lon, round(ST_Y(h.geom)::numeric, 6) AS lat
FROM houses h
JOIN units u ON u.id = h.unit_id
LEFT JOIN hazard_state(CAST(:as_of AS date)) z ON z.house_id = h.id AND /*hazard_scope*/
WHERE h.geom IS NOT NULL AND /*house_scope*/ AND /*bbox*/
GROUP BY h.id, u.name
ORDER BY h.house_code
