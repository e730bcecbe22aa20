SELECT z.hazard_code, h.house_code, c.label_zh AS category_zh, z.severity, z.found_on,
       z.deadline_on, z.posted_on_wall, z.entered_in_system, d.name AS department_name,
       z.transferred_on, z.rectified_on, z.description, z.verified_on
FROM hazards z
JOIN houses h ON h.id = z.house_id
JOIN hazard_categories c ON c.code = z.category
LEFT JOIN units d ON d.id = z.department_id
ORDER BY z.hazard_code;
