SELECT name, kind, has_task_list, has_annual_plan, holds_meetings, accountability_evaluated
FROM units
ORDER BY kind = 'department', name;
