-- Units are upserted by id, never truncated: other tables (user accounts of village staff)
-- may point at them, and the demo's unit ids are stable per name whatever the seed.
-- Input: the temporary table demo_units, COPYed just before.
DELETE FROM units u
WHERE NOT EXISTS (SELECT 1 FROM demo_units d WHERE d.id = u.id);

-- Names are unique and checked row by row: move names that change out of the way first.
UPDATE units u SET name = '#' || u.id || ' ' || u.name
FROM demo_units d
WHERE d.id = u.id AND d.name <> u.name;

INSERT INTO units (id, name, kind, has_task_list, has_annual_plan, holds_meetings,
                   accountability_evaluated, geom, updated_at)
SELECT id, name, kind, has_task_list, has_annual_plan, holds_meetings,
       accountability_evaluated, geom, now()
FROM demo_units
ON CONFLICT (id) DO UPDATE SET
    name = EXCLUDED.name,
    kind = EXCLUDED.kind,
    has_task_list = EXCLUDED.has_task_list,
    has_annual_plan = EXCLUDED.has_annual_plan,
    holds_meetings = EXCLUDED.holds_meetings,
    accountability_evaluated = EXCLUDED.accountability_evaluated,
    geom = EXCLUDED.geom,
    updated_at = now();
