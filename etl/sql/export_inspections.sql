-- 检查记录: every inspection but patrol visits (those are recorded by the teams' phones, not
-- imported), one per natural key (house, day, kind, 检查单位; the unit falls back to the
-- inspector for rows written before the sheet existed).
SELECT DISTINCT ON (h.house_code, i.inspected_on, i.kind, coalesce(i.unit_name, i.inspector, '未填写'))
       h.house_code, i.inspected_on, i.kind,
       coalesce(i.unit_name, i.inspector, '未填写') AS unit_name, i.found_hazard, i.notes
FROM inspections i JOIN houses h ON h.id = i.house_id
WHERE i.source <> 'visit'
ORDER BY h.house_code, i.inspected_on, i.kind, coalesce(i.unit_name, i.inspector, '未填写'),
         i.found_hazard IS NULL, i.id;
